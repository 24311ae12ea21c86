using XrayClassifier.Function.Classification;
using XrayClassifier.Function.Inference;

namespace XrayClassifier.Tests.TestHelpers;

/// <summary>A classifier's run read into the answer as the engine reads it (<see cref="ScoreReader"/>).</summary>
internal static class ClassifierScoring
{
    public static LabelScores RunAndScore(this Classifier classifier) => new ScoreReader(classifier.Manifest).Read(classifier.Run());
}
