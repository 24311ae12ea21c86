namespace XrayClassifier.Function.Inference;

/// <summary>What turns the model's raw output into probabilities (manifest "output.activation").</summary>
public enum OutputActivation
{
    /// <summary>The model already outputs probabilities (e.g. it ends in a Sigmoid node).</summary>
    None,
    /// <summary>Independent per-label logits (multi-label, like CheXNet trained with BCEWithLogits).</summary>
    Sigmoid,
    /// <summary>Logits of mutually exclusive labels: probabilities sum to 1.</summary>
    Softmax,
}
