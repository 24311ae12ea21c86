namespace XrayClassifier.Function.Inference.Native;

/// <summary>C <c>OrtLoggingLevel</c>.</summary>
internal enum OrtLoggingLevel
{
    Verbose = 0,
    Info = 1,
    Warning = 2,
    Error = 3,
    Fatal = 4,
}
