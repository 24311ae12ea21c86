namespace XrayClassifier.Function.Dicom;

/// <summary>Which transform actually produced the [0, 1] values, for the answer.</summary>
public enum VoiApplied
{
    /// <summary><c>voi: none</c> was asked for.</summary>
    None,
    /// <summary>The first item of the VOI LUT Sequence.</summary>
    LutSequence,
    /// <summary>The first WindowCenter/WindowWidth pair with VOILUTFunction LINEAR.</summary>
    WindowLinear,
    /// <summary>The first WindowCenter/WindowWidth pair with VOILUTFunction LINEAR_EXACT.</summary>
    WindowLinearExact,
    /// <summary>The first WindowCenter/WindowWidth pair with VOILUTFunction SIGMOID.</summary>
    WindowSigmoid,
    /// <summary><c>voi: window</c> was asked for but the file has no VOI: the <c>none</c> mapping was used.</summary>
    FellBackToNone,
}
