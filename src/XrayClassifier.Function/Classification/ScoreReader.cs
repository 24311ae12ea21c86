using XrayClassifier.Function.Inference;

namespace XrayClassifier.Function.Classification;

/// <summary>
/// The model's raw output read into the answer — once, by output index, in this one place: the activation
/// ("output.activation"), the calibration ("output.calibration": torchxrayvision's <c>op_norm</c>), the output
/// slots an answer leaves out (labels ""), each label's threshold, and the ranking. Built once per loaded
/// manifest; thread-safe.
/// </summary>
public sealed class ScoreReader
{
    private readonly ModelManifest _manifest;
    private readonly int[] _answerSlots;
    private readonly float[] _thresholds;
    private readonly IReadOnlyList<float>? _operatingPoints;

    public ScoreReader(ModelManifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        _manifest = manifest;
        var labels = manifest.Labels;
        _thresholds = new float[labels.Count];
        var slots = new List<int>(labels.Count);
        for (int i = 0; i < labels.Count; i++)
        {
            _thresholds[i] = manifest.ThresholdFor(labels[i]);
            if (labels[i].Length > 0) slots.Add(i);
        }
        _answerSlots = [.. slots];
        _operatingPoints = manifest.Calibration == CalibrationMethod.OpNorm ? manifest.OperatingPoints : null;
    }

    /// <summary>How many values one image's output holds: one per manifest label.</summary>
    public int OutputCount => _thresholds.Length;

    /// <summary>The answer for one image's raw output (<see cref="OutputCount"/> values, in the manifest's label order).</summary>
    public LabelScores Read(ReadOnlySpan<float> rawOutput)
    {
        if (rawOutput.Length != OutputCount)
            throw new ArgumentException($"the output has {rawOutput.Length} values; the manifest has {OutputCount} labels", nameof(rawOutput));
        Span<float> probabilities = OutputCount <= 256 ? stackalloc float[OutputCount] : new float[OutputCount];
        Activations.Apply(_manifest.Activation, rawOutput, probabilities);

        var slots = _answerSlots;
        Span<RankedScore> ranking = slots.Length <= 256 ? stackalloc RankedScore[slots.Length] : new RankedScore[slots.Length];
        for (int k = 0; k < slots.Length; k++)
        {
            int index = slots[k];
            float p = _operatingPoints is null ? probabilities[index] : OpNorm(probabilities[index], _operatingPoints[index]);
            // A NaN would sort anywhere and cannot be written as JSON, an SR NUM or a FHIR decimal.
            if (!float.IsFinite(p)) throw new ModelOutputException(_manifest.Name, _manifest.Labels[index], index, p);
            ranking[k] = new RankedScore(p, index);
        }
        ranking.Sort();

        var labels = _manifest.Labels;
        var predictions = new Prediction[ranking.Length];
        int findingCount = 0;
        for (int k = 0; k < ranking.Length; k++)
        {
            int index = ranking[k].Index;
            var prediction = new Prediction(labels[index], ranking[k].Probability) { Index = index, Threshold = _thresholds[index] };
            predictions[k] = prediction;
            if (prediction.IsFinding) findingCount++;
        }
        var findings = findingCount == 0 ? [] : new string[findingCount];
        for (int k = 0, f = 0; f < findingCount; k++)
            if (predictions[k].IsFinding) findings[f++] = predictions[k].Label;
        return new LabelScores(predictions[0].Label, predictions[0].Probability, findings, predictions);
    }

    /// <summary>torchxrayvision's <c>op_norm</c> for one value, in float32 as torch computes it: the operating point
    /// <paramref name="t"/> maps to 0.5, linearly on each side; without one (NaN) the answer is 0.5.</summary>
    public static float OpNorm(float p, float t)
    {
        if (float.IsNaN(t)) return 0.5f;
        return p < t ? p / (t * 2f) : 1f - (1f - p) / ((1f - t) * 2f);
    }
}
