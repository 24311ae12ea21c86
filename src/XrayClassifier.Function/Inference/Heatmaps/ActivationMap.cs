namespace XrayClassifier.Function.Inference.Heatmaps;

/// <summary>One label's class activation map at the feature map's resolution.</summary>
/// <param name="Label">The label.</param>
/// <param name="Width">Grid width (the feature map's W).</param>
/// <param name="Height">Grid height (the feature map's H).</param>
/// <param name="Grid">Row-major, <c>Grid[y·Width + x] = Σ_k w[c,k]·F[k,y,x] + b[c]</c>.</param>
public sealed record ActivationMap(string Label, int Width, int Height, float[] Grid)
{
    /// <summary>The grid's mean: the label's logit, for the usual pooled head.</summary>
    public double Mean
    {
        get
        {
            double sum = 0;
            foreach (float v in Grid) sum += v;
            return sum / Grid.Length;
        }
    }
}
