namespace XrayClassifier.Function.Imaging;

/// <summary>How the image is fitted to the model's input size.</summary>
public enum ResizeMode
{
    /// <summary>Scale width and height independently to exactly width×height (CheXNet's Resize(224,224)).</summary>
    Stretch,
    /// <summary>Scale the shorter side to the target, then take the centre crop (Resize(256)+CenterCrop).</summary>
    Cover,
}

/// <summary>Resampling kernel, named as in the manifest.</summary>
public enum Interpolation { Nearest, Bilinear, Bicubic, Lanczos3 }

/// <summary>
/// What the model expects its input tensor to be: float32 NCHW, <see cref="Channels"/> (1 or 3) planes of
/// <see cref="Height"/>×<see cref="Width"/>, each value (pixel/fullRange − mean[c]) / std[c].
/// </summary>
public sealed record PreprocessSpec(
    int Channels,
    int Height,
    int Width,
    ResizeMode Resize,
    Interpolation Interpolation,
    IReadOnlyList<float> Mean,
    IReadOnlyList<float> Std)
{
    /// <summary>Number of floats in one image's tensor.</summary>
    public int ElementCount => Channels * Height * Width;
}
