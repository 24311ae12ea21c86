namespace XrayClassifier.Function.Inference;

/// <summary>How probabilities are remapped after the activation (manifest "output.calibration.method").</summary>
public enum CalibrationMethod
{
    /// <summary>torchxrayvision's <c>op_norm</c>: each label's operating point becomes 0.5, linearly on each side.</summary>
    OpNorm,
}
