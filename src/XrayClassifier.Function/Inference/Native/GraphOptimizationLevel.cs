namespace XrayClassifier.Function.Inference.Native;

/// <summary>C <c>GraphOptimizationLevel</c>.</summary>
internal enum GraphOptimizationLevel
{
    DisableAll = 0,
    EnableBasic = 1,
    EnableExtended = 2,
    EnableAll = 99,
}
