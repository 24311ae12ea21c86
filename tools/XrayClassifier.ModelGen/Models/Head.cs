namespace XrayClassifier.ModelGen;

/// <summary>What a small test model applies to its logits before its output.</summary>
public enum Head
{
    /// <summary>Raw logits.</summary>
    None,
    /// <summary>Element-wise logistic function.</summary>
    Sigmoid,
    /// <summary>Softmax over the label axis (axis 1).</summary>
    Softmax,
}
