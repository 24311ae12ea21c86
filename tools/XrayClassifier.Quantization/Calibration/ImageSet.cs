using XrayClassifier.Function.Imaging;
using XrayClassifier.Function.Inference;

namespace XrayClassifier.Quantization.Calibration;

/// <summary>One image of a calibration or held-out folder, as the model's input tensor.</summary>
public sealed record PreparedImage(string Name, float[] Tensor);

/// <summary>
/// A folder of images in any format the function takes (PNG, JPEG, TIFF, WebP, DICOM), each turned into the model's
/// input tensor by the function's own <see cref="ImagePipeline"/> and the model's manifest — the tensor the served
/// model will see, so the ranges are calibrated on what production feeds it. Files the function would refuse are
/// reported by name and skipped.
/// </summary>
public static class ImageSet
{
    /// <summary>Generous limits: calibration images are the operator's own files, not uploads.</summary>
    private static readonly ImageLimits s_limits = new(512L * 1024 * 1024, 400_000_000, 16);

    public static IReadOnlyList<PreparedImage> Load(string folder, ModelManifest manifest, string nativeDirectory, TextWriter log)
    {
        if (!Directory.Exists(folder)) throw new UnsupportedModelException($"image folder '{folder}' does not exist");
        using var pipeline = ImagePipeline.Create(nativeDirectory, s_limits, 2);
        var images = new List<PreparedImage>();
        foreach (var path in Directory.EnumerateFiles(folder).Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(path);
            if (name.StartsWith('.') || name.EndsWith(".csv", StringComparison.OrdinalIgnoreCase)) continue;
            var bytes = File.ReadAllBytes(path);
            try
            {
                var tensor = new float[manifest.Input.ElementCount];
                pipeline.Preprocess(bytes, ImageFormat.Identify(bytes, null), manifest.Input, tensor);
                images.Add(new PreparedImage(name, tensor));
            }
            catch (ImageRejectedException e)
            {
                log.WriteLine($"skipped {name}: {e.Message}");
            }
        }
        return images;
    }
}
