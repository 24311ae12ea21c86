namespace XrayClassifier.Function.Inference.Native;

/// <summary>C <c>OrtMemType</c>.</summary>
internal enum OrtMemType
{
    CpuInput = -2,
    CpuOutput = -1,
    Default = 0,
}
