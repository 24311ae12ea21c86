using System.Globalization;
using XrayClassifier.Function.Configuration;
using XrayClassifier.Function.Imaging.Vips;

namespace XrayClassifier.Function.Imaging;

/// <summary>
/// Encoded image bytes → the model's input tensor, via libvips loaded from the EFS runtime folder.
/// Thread-safe; one instance per container. Runs are serialised, because libvips reports errors through
/// one process-wide buffer and a message must belong to the request that caused it.
/// </summary>
/// <remarks>
/// The path, per upload: magic-number detection → Content-Type check → that format's own libvips loader
/// (sequential access, fail_on=error, so truncation fails instead of padding) → width/height/depth checked
/// from the header before a pixel is decoded → alpha dropped with extract_band → one resize to the model's
/// size in the stored orientation (the kernel the spec names, applied as a full convolution like PIL's
/// antialiased resize) → 8/16-bit pixels written to memory → orientation, crop, colour conversion and
/// mean/std normalisation in one pass into the destination. A grey image feeding a 3-channel model is
/// resized as one band and written three times. Nothing is decoded twice; no full-size float copy exists.
/// </remarks>
public sealed class ImagePipeline : IDisposable
{
    private readonly Lock _gate = new();
    private bool _disposed;

    private ImagePipeline(ImageLimits limits, int threads)
    {
        Limits = limits;
        Threads = threads;
    }

    /// <summary>Loads libvips from nativeDirectory (once per process). Throws
    /// <see cref="PlatformUnavailableException"/> (component libvips) naming the path and what was expected.</summary>
    /// <param name="nativeDirectory">The runtime folder holding libvips-cpp.so.8.18.7.</param>
    /// <param name="limits">Upload limits applied to every image.</param>
    /// <param name="threads">libvips worker threads (process-wide), normally Lambda's CPU credit.</param>
    public static ImagePipeline Create(string nativeDirectory, ImageLimits limits, int threads)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(nativeDirectory);
        ArgumentNullException.ThrowIfNull(limits);
        ArgumentOutOfRangeException.ThrowIfLessThan(limits.MaxEncodedBytes, 1L, nameof(limits));
        ArgumentOutOfRangeException.ThrowIfLessThan(limits.MaxPixels, 1L, nameof(limits));
        ArgumentOutOfRangeException.ThrowIfLessThan(limits.MinSide, 1, nameof(limits));
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);

        VipsRuntime.EnsureLoaded(nativeDirectory);
        VipsRuntime.SetConcurrency(threads);
        return new ImagePipeline(limits, threads);
    }

    /// <summary>libvips's own version string, e.g. "8.18.7".</summary>
    public string VipsVersion => VipsRuntime.Version;

    /// <summary>Media types accepted for raw uploads (for 415 answers).</summary>
    public static IReadOnlyList<string> AcceptedMediaTypes { get; } = ["image/png", "image/jpeg", "image/tiff", "image/webp"];

    public ImageLimits Limits { get; }

    /// <summary>libvips worker threads this pipeline asked for.</summary>
    public int Threads { get; }

    /// <summary>libvips's reducing gap for downsizing: 0 is the exact convolution PIL does; larger
    /// values box-shrink first (faster, further from PIL). Internal so benchmarks can compare.</summary>
    internal double ResizeGap { get; set; } = 0.0;

    /// <summary>Detects, checks, decodes and preprocesses <paramref name="encoded"/> into
    /// <paramref name="destination"/> (NCHW float32, spec.ElementCount floats). Throws
    /// <see cref="ImageRejectedException"/> for bad input.</summary>
    public DecodedImage Preprocess(ReadOnlySpan<byte> encoded, string? declaredMediaType, PreprocessSpec spec, Span<float> destination)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        CheckSpec(spec, destination.Length);

        if (encoded.IsEmpty)
            throw new ImageRejectedException(ImageRejection.Empty, "The upload is empty: send the image file's bytes as the request body.");
        if (encoded.Length > Limits.MaxEncodedBytes)
            throw new ImageRejectedException(ImageRejection.TooLarge,
                $"The upload is {Size(encoded.Length)}; the limit is {Size(Limits.MaxEncodedBytes)}. Send a smaller file (e.g. an 8-bit PNG or a JPEG).");

        var detected = ImageFormatDetector.Detect(encoded);
        if (detected.Accepted is not ImageFormat format)
        {
            throw new ImageRejectedException(ImageRejection.UnsupportedFormat, detected.Name is string name
                ? $"{Capitalise(name)} is not an accepted format. Send a {ImageFormatDetector.AcceptedNames} image ({string.Join(", ", AcceptedMediaTypes)})."
                : $"The upload is not an image in an accepted format (its first bytes match none of them). Send a {ImageFormatDetector.AcceptedNames} image ({string.Join(", ", AcceptedMediaTypes)}).");
        }
        if (DeclaredMediaType.Contradiction(declaredMediaType, format) is string mismatch)
            throw new ImageRejectedException(ImageRejection.ContentTypeMismatch, mismatch);

        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            VipsRuntime.ClearError();
            VipsLog.BeginCapture();
            bool succeeded = false;
            try
            {
                var decoded = Run(encoded, format, spec, destination);
                succeeded = true;
                return decoded;
            }
            finally
            {
                var (warnings, dropped) = VipsLog.EndCapture();
                // A failed run's warnings are already in its error; a good run's are worth one line.
                if (succeeded && warnings.Count > 0)
                    VipsLog.Output.WriteLine($"libvips warnings while reading a {ImageFormatDetector.NameOf(format)} upload: {string.Join("; ", warnings.Take(3))}{(warnings.Count + dropped > 3 ? $" (+{warnings.Count + dropped - 3} more)" : "")}");
                VipsRuntime.ClearError();
            }
        }
    }

    public void Dispose() => _disposed = true;

    private DecodedImage Run(ReadOnlySpan<byte> encoded, ImageFormat format, PreprocessSpec spec, Span<float> destination)
    {
        string formatName = ImageFormatDetector.NameOf(format);
        using var scope = new VipsScope();

        var loader = scope.Own(VipsOperation.New(LoaderOf(format)));
        loader.SetBlobCopy("buffer", encoded)
            // Sequential: the header is read now, pixels stream later, and nothing holds the whole image.
            .SetEnum("access", "sequential")
            // "error" also fails truncated files (instead of returning them padded with grey).
            .SetEnum("fail_on", "error");
        try
        {
            loader.Build();
        }
        catch (VipsException e)
        {
            throw new ImageRejectedException(ImageRejection.Corrupt,
                $"The file starts like a {formatName} but its header cannot be read; it is corrupt or not really a {formatName}. (libvips: {Detail(e)})", e);
        }
        var decoded = scope.Own(loader.GetImage("out"));

        int width = decoded.Width, height = decoded.Height, bands = decoded.Bands;
        if ((long)width * height > Limits.MaxPixels)
            throw new ImageRejectedException(ImageRejection.TooManyPixels,
                $"The image is {width}×{height} pixels ({Megapixels((long)width * height)}); the limit is {Megapixels(Limits.MaxPixels)}. Downscale it before uploading.");

        var orientation = decoded.TryGetInt("orientation", out int tag) && tag is >= 1 and <= 8 ? (ExifOrientation)tag : ExifOrientation.Upright;
        bool swap = PixelMap.SwapsAxes(orientation);
        int displayedWidth = swap ? height : width, displayedHeight = swap ? width : height;
        if (Math.Min(width, height) < Limits.MinSide)
            throw new ImageRejectedException(ImageRejection.TooSmall,
                $"The image is {displayedWidth}×{displayedHeight} pixels; both sides must be at least {Limits.MinSide} pixels.");

        int bits = decoded.FormatNick switch
        {
            "uchar" => 8,
            "ushort" => 16,
            var other => throw new ImageRejectedException(ImageRejection.UnsupportedFormat,
                $"This {formatName} holds {Describe(other)} samples; only 8- and 16-bit unsigned images are accepted. Convert it to 8- or 16-bit greyscale or RGB."),
        };
        float range = bits == 8 ? 255f : 65535f;
        var model = ColourModelOf(decoded.InterpretationNick, bands, formatName);
        var plan = ResizePlan.For(displayedWidth, displayedHeight, orientation, spec);

        // Alpha (and anything past the colour bands) is dropped, not composited: PIL's convert('RGB'/'L').
        VipsImage image = decoded;
        int used = model switch { ColourModel.Cmyk => 4, ColourModel.Rgb => 3, _ => 1 };
        if (bands > used)
            image = scope.Call("extract_band", op => op.Set("in", decoded).Set("band", 0).Set("n", used));
        if (model == ColourModel.Cmyk)
            image = CmykToRgb(scope, image, range);
        var colour = model == ColourModel.Grey ? SourceColour.Grey : SourceColour.Rgb;

        if (spec.Interpolation == Interpolation.Nearest)
        {
            using var full = WritePixels(image, formatName);
            if (bits == 8)
                TensorWriter.Write<byte>(NearestSampler.Resize(full.As<byte>(), width, height, (int)colour, orientation, plan), plan.StoredWidth, colour, range, plan.Map, spec, destination);
            else
                TensorWriter.Write<ushort>(NearestSampler.Resize(full.As<ushort>(), width, height, (int)colour, orientation, plan), plan.StoredWidth, colour, range, plan.Map, spec, destination);
            return new DecodedImage(format, displayedWidth, displayedHeight, bands, bits);
        }

        // libvips shrinks (its reduce is PIL's antialiased convolution); axes that grow keep their size
        // here and are enlarged below the way PIL enlarges.
        int shrunkWidth = Math.Min(width, plan.StoredWidth), shrunkHeight = Math.Min(height, plan.StoredHeight);
        bool floatSamples = false;
        if (shrunkWidth != width || shrunkHeight != height)
        {
            if (bits == 16 && spec.Interpolation != Interpolation.Bilinear)
            {
                // Bicubic and lanczos lobes overshoot at hard edges; a ushort reduce would clip that at
                // 65535 where the float reference keeps it. Streamed, so no full-size float copy is held.
                var wide = image;
                image = scope.Call("cast", op => op.Set("in", wide).SetEnum("format", "float"));
                floatSamples = true;
            }
            var source = image;
            image = scope.Call("resize", op => op.Set("in", source)
                .Set("scale", (double)shrunkWidth / width)
                .Set("vscale", (double)shrunkHeight / height)
                .SetEnum("kernel", KernelOf(spec.Interpolation))
                .Set("gap", ResizeGap));
            if (image.Width != shrunkWidth || image.Height != shrunkHeight)
                throw new InvalidOperationException(
                    $"libvips resized {width}×{height} to {image.Width}×{image.Height}, not the planned {shrunkWidth}×{shrunkHeight}.");
        }

        using var pixels = WritePixels(image, formatName);
        bool enlarge = shrunkWidth != plan.StoredWidth || shrunkHeight != plan.StoredHeight;
        if (floatSamples)
        {
            var samples = pixels.As<float>();
            if (enlarge)
                TensorWriter.Write<float>(ConvolutionResampler.Resize(samples, shrunkWidth, shrunkHeight, (int)colour, plan.StoredWidth, plan.StoredHeight, spec.Interpolation), plan.StoredWidth, colour, range, plan.Map, spec, destination);
            else
                TensorWriter.Write(samples, plan.StoredWidth, colour, range, plan.Map, spec, destination);
        }
        else if (enlarge)
        {
            float[] enlarged = bits == 8
                ? ConvolutionResampler.Resize(pixels.As<byte>(), shrunkWidth, shrunkHeight, (int)colour, plan.StoredWidth, plan.StoredHeight, spec.Interpolation)
                : ConvolutionResampler.Resize(pixels.As<ushort>(), shrunkWidth, shrunkHeight, (int)colour, plan.StoredWidth, plan.StoredHeight, spec.Interpolation);
            TensorWriter.Write<float>(enlarged, plan.StoredWidth, colour, range, plan.Map, spec, destination);
        }
        else if (bits == 8)
        {
            TensorWriter.Write(pixels.As<byte>(), plan.StoredWidth, colour, range, plan.Map, spec, destination);
        }
        else
        {
            TensorWriter.Write(pixels.As<ushort>(), plan.StoredWidth, colour, range, plan.Map, spec, destination);
        }
        return new DecodedImage(format, displayedWidth, displayedHeight, bands, bits);
    }

    /// <summary>PIL's CMYK → RGB, R = (1 − C)(1 − K) rounded, done before the resize as PIL does (the
    /// product does not commute with resampling). Streams through libvips; no full-size copy is held.</summary>
    private static VipsImage CmykToRgb(VipsScope scope, VipsImage cmyk, float range)
    {
        var inverted = scope.Call("invert", op => op.Set("in", cmyk));
        var rgb = scope.Call("extract_band", op => op.Set("in", inverted).Set("band", 0).Set("n", 3));
        var k = scope.Call("extract_band", op => op.Set("in", inverted).Set("band", 3).Set("n", 1));
        var product = scope.Call("multiply", op => op.Set("left", rgb).Set("right", k));
        var scaled = scope.Call("linear", op => op.Set("in", product).SetArray("a", 1.0 / range).SetArray("b", 0.5));
        return scope.Call("cast", op => op.Set("in", scaled).SetEnum("format", range > 255 ? "ushort" : "uchar"));
    }

    private static string KernelOf(Interpolation interpolation) => interpolation switch
    {
        Interpolation.Bilinear => "linear",
        Interpolation.Bicubic => "cubic",
        Interpolation.Lanczos3 => "lanczos3",
        _ => throw new ArgumentOutOfRangeException(nameof(interpolation)),
    };

    /// <summary>Runs the pipeline: this is where libvips decodes, so data errors surface here.</summary>
    private static VipsMemory WritePixels(VipsImage image, string formatName)
    {
        try
        {
            return image.WriteToMemory();
        }
        catch (VipsException e)
        {
            throw new ImageRejectedException(ImageRejection.Corrupt,
                $"The {formatName} image data is truncated or corrupt and cannot be decoded. (libvips: {Detail(e)})", e);
        }
    }

    /// <summary>libvips's error text; when a loader failed without any, the warnings it logged instead.</summary>
    private static string Detail(VipsException e)
    {
        if (e.LibvipsText.Length > 0) return e.LibvipsText;
        var (warnings, _) = VipsLog.EndCapture();
        VipsLog.BeginCapture();
        return warnings.Count > 0 ? string.Join("; ", warnings.Take(3)) : "no detail given";
    }

    private enum ColourModel { Grey, Rgb, Cmyk }

    private static ColourModel ColourModelOf(string interpretation, int bands, string formatName)
    {
        switch (interpretation)
        {
            case "cmyk" when bands >= 4:
                return ColourModel.Cmyk;
            case "lab" or "labs" or "labq" or "xyz" or "yxy" or "cmc" or "lch" or "hsv" or "scrgb" or "fourier" or "histogram" or "matrix":
                throw new ImageRejectedException(ImageRejection.UnsupportedFormat,
                    $"This {formatName} is in the {interpretation.ToUpperInvariant()} colour space; only greyscale, RGB and CMYK images are accepted. Convert it to greyscale or RGB.");
        }
        return bands switch
        {
            1 or 2 => ColourModel.Grey,
            3 or 4 => ColourModel.Rgb,
            _ => throw new ImageRejectedException(ImageRejection.UnsupportedFormat,
                $"This {formatName} has {bands} bands; only greyscale and RGB images (with or without alpha) are accepted."),
        };
    }

    private static string LoaderOf(ImageFormat format) => format switch
    {
        ImageFormat.Png => "pngload_buffer",
        ImageFormat.Jpeg => "jpegload_buffer",
        ImageFormat.Tiff => "tiffload_buffer",
        ImageFormat.Webp => "webpload_buffer",
        _ => throw new ArgumentOutOfRangeException(nameof(format)),
    };

    private static void CheckSpec(PreprocessSpec spec, int destinationLength)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.Channels is not (1 or 3)) throw new ArgumentException($"PreprocessSpec.Channels must be 1 or 3, not {spec.Channels}.", nameof(spec));
        if (spec.Width < 1 || spec.Height < 1) throw new ArgumentException($"PreprocessSpec size {spec.Width}×{spec.Height} is not positive.", nameof(spec));
        if (spec.Mean.Count != spec.Channels || spec.Std.Count != spec.Channels)
            throw new ArgumentException($"PreprocessSpec needs {spec.Channels} mean and std values (has {spec.Mean.Count} and {spec.Std.Count}).", nameof(spec));
        foreach (float s in spec.Std)
            if (!(s > 0) || float.IsInfinity(s)) throw new ArgumentException($"PreprocessSpec std {s} must be positive.", nameof(spec));
        if (destinationLength < spec.ElementCount)
            throw new ArgumentException($"The destination holds {destinationLength} floats; the tensor needs {spec.ElementCount}.", "destination");
    }

    private static string Describe(string sampleFormat) => sampleFormat switch
    {
        "char" => "signed 8-bit",
        "short" => "signed 16-bit",
        "uint" => "32-bit integer",
        "int" => "signed 32-bit integer",
        "float" => "32-bit floating-point",
        "double" => "64-bit floating-point",
        "complex" or "dpcomplex" => "complex",
        _ => sampleFormat,
    };

    private static string Capitalise(string name) => name.Length > 0 && char.IsLower(name[0]) ? char.ToUpperInvariant(name[0]) + name[1..] : name;

    private static string Size(long bytes) => bytes >= 1024 * 1024
        ? (bytes / (1024.0 * 1024)).ToString("0.#", CultureInfo.InvariantCulture) + " MiB"
        : bytes >= 1024 ? (bytes / 1024.0).ToString("0.#", CultureInfo.InvariantCulture) + " KiB"
        : bytes.ToString(CultureInfo.InvariantCulture) + " bytes";

    private static string Megapixels(long pixels) =>
        (pixels / 1_000_000.0).ToString(pixels >= 10_000_000 ? "0" : "0.#", CultureInfo.InvariantCulture) + " megapixels";
}
