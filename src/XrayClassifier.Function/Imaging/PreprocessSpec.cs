namespace XrayClassifier.Function.Imaging;

/// <summary>How the image is fitted to the model's input size.</summary>
public enum ResizeMode
{
    /// <summary>Scale width and height independently to exactly width×height (CheXNet's Resize(224,224)).</summary>
    Stretch,
    /// <summary>Scale the shorter side to the target, then take the centre crop (Resize(256)+CenterCrop).</summary>
    Cover,
    /// <summary>Scale to exactly width×height as <c>skimage.transform.resize(order=1, mode='constant', anti_aliasing
    /// default)</c> does on the normalised image (torchxrayvision's XRayResizer); the interpolation is its own.</summary>
    SkimageLinear,
}

/// <summary>How a colour image becomes the one channel of a 1-channel model.</summary>
public enum GreyConversion
{
    /// <summary>ITU-R 601-2 luma as PIL's <c>convert("L")</c> (torchvision training).</summary>
    Luma,
    /// <summary>The mean of R, G and B (torchxrayvision's README: <c>img.mean(2)</c>).</summary>
    Mean,
    /// <summary>The first channel, R (torchxrayvision's <c>load_image</c>).</summary>
    First,
}

/// <summary>What is cut from the image before it is resized.</summary>
public enum CropMode
{
    None,
    /// <summary>The centred square on the shorter side, offsets <c>side/2 − short/2</c> in integers (torchxrayvision's XRayCenterCrop).</summary>
    CenterSquare,
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
    /// <summary>How colour becomes one channel when <see cref="Channels"/> is 1.</summary>
    public GreyConversion Grey { get; init; } = GreyConversion.Luma;

    /// <summary>What is cut from the image before it is resized.</summary>
    public CropMode Crop { get; init; } = CropMode.None;

    /// <summary>How a DICOM frame's stored values become greys (the manifest's <c>dicom.voi</c>).</summary>
    public Dicom.VoiMode DicomVoi { get; init; } = Dicom.VoiMode.None;

    /// <summary>Number of floats in one image's tensor.</summary>
    public int ElementCount => Channels * Height * Width;
}
