using XrayClassifier.Function.Configuration;
using XrayClassifier.Function.Imaging.Vips;

namespace XrayClassifier.Function.Imaging;

/// <summary>
/// Encoded image bytes → the model's input tensor, via NetVips over libvips loaded from the EFS runtime folder.
/// Thread-safe; one instance per container. Runs are serialised, because libvips reports errors through
/// one process-wide buffer and a message must belong to the request that caused it.
/// </summary>
/// <remarks>
/// The path, per upload (its format identified where it came in, <see cref="ImageFormat.Identify"/>): that
/// format's own decoder from its table entry (<see cref="IImageDecoder"/>: a libvips loader with sequential
/// access and fail_on=error, so truncation fails instead of padding; or the DICOM decoder) → width/height/depth
/// checked from the header before a pixel is decoded → pixels decoded strip by strip
/// (<see cref="IStripSource"/>); each row is converted to
/// the model's planes as PIL's convert() would (alpha dropped, CMYK → RGB, colour → luma for one-channel
/// models) and resized as PIL's resize() does — 8-bit images bit for bit in PIL's fixed point, 16-bit
/// ones in floating point — in the stored orientation → orientation, centre crop and mean/std
/// normalisation in one pass into the destination. A grey image is resized as one plane and written into
/// each channel. Nothing is decoded twice; neither the full image nor any full-size float copy is held.
/// libvips's own resize is not used: its fixed-point reduce reads low (−0.5 grey levels at 9× shrink,
/// measured against PIL) and its enlargement samples at other positions.
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
    /// <param name="nativeDirectory">The runtime folder holding libvips.so.42.</param>
    /// <param name="limits">Upload limits applied to every image.</param>
    /// <param name="threads">Normally Lambda's CPU credit: with two or more, decoding overlaps resampling;
    /// also libvips's own worker count (process-wide).</param>
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

    public ImageLimits Limits { get; }

    /// <summary>Threads per run: with two or more, the strip source decodes the next strip while the current
    /// one is resampled (also set as libvips's own worker count, process-wide).</summary>
    public int Threads { get; }

    /// <summary>Decodes and preprocesses <paramref name="encoded"/>, an upload of <paramref name="format"/> (as
    /// <see cref="ImageFormat.Identify"/> found it), into <paramref name="destination"/> (NCHW float32,
    /// spec.ElementCount floats). Throws <see cref="ImageRejectedException"/> for bad input.</summary>
    public DecodedImage Preprocess(ReadOnlyMemory<byte> encoded, ImageFormat format, PreprocessSpec spec, Span<float> destination)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(format);
        CheckSpec(spec, destination.Length);

        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            VipsErrors.Clear();
            VipsLog.BeginCapture();
            bool succeeded = false;
            try
            {
                using var image = format.Decoder.Open(encoded, format, this, spec);
                var decoded = Stream(image, format, spec, destination);
                succeeded = true;
                return decoded;
            }
            finally
            {
                var (warnings, dropped) = VipsLog.EndCapture();
                // A failed run's warnings are already in its error; a good run's are worth one line.
                if (succeeded && warnings.Count > 0)
                    VipsLog.Output.WriteLine($"libvips warnings while reading a {format.DisplayName} upload: {string.Join("; ", warnings.Take(3))}{(warnings.Count + dropped > 3 ? $" (+{warnings.Count + dropped - 3} more)" : "")}");
                VipsErrors.Clear();
            }
        }
    }

    public void Dispose() => _disposed = true;

    /// <summary>An 8-bit grey PNG of <paramref name="pixels"/> (row by row, <paramref name="width"/> per row), encoded by
    /// libvips under the lock the runs take: the INIT warm-up's image, made on the spot (no binary ships with the function).</summary>
    internal byte[] GreyPng(byte[] pixels, int width, int height) => UnderVipsLock(() =>
    {
        using var image = NetVips.Image.NewFromMemory(pixels, width, height, 1, NetVips.Enums.BandFormat.Uchar);
        return image.PngsaveBuffer(compression: 1);
    });

    /// <summary>Runs <paramref name="work"/> (libvips calls made after a run, e.g. a DICOM upload's derivative PNG)
    /// under the lock the runs take, with libvips's process-wide error buffer emptied before and after.</summary>
    internal T UnderVipsLock<T>(Func<T> work)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            VipsErrors.Clear();
            try
            {
                return work();
            }
            finally
            {
                VipsErrors.Clear();
            }
        }
    }

    /// <summary>An opened image (header checked by its decoder) → the tensor, strip by strip.</summary>
    private DecodedImage Stream(OpenedImage image, ImageFormat format, PreprocessSpec spec, Span<float> destination)
    {
        var strips = image.Strips;
        int width = strips.Width, height = strips.Height, bands = image.Bands, bits = image.BitsPerSample;
        var orientation = image.Orientation;
        bool swap = PixelMap.SwapsAxes(orientation);
        int displayedWidth = swap ? height : width, displayedHeight = swap ? width : height;
        var make = image.Preview;
        var decoded = new DecodedImage(format, displayedWidth, displayedHeight, bands, bits)
        {
            Dicom = image.Dicom,
            PreviewSource = make is null ? null : withLevels => UnderVipsLock(() => make(withLevels)),
        };

        if (spec.Resize == ResizeMode.SkimageLinear)
        {
            SkimageResize.Write(strips, Threads, bits, bands, image.Cmyk, orientation, spec, destination);
            return decoded;
        }
        var colour = ColourPlanes.For(bands, image.Cmyk, spec.Channels);
        var plan = ResizePlan.For(displayedWidth, displayedHeight, orientation, spec);
        float range = bits switch { 8 => 255f, 16 => 65535f, _ => 1f };

        // JPEGs too are decoded at full size: libjpeg's ½/¼/⅛ DCT-scaled decode would save a third of a large
        // JPEG's decode time, but moves sharp content (burned-in text, markers, collimator edges) by up to 17
        // grey levels against PIL's full decode + resize (FidelityTests); a model sees those pixels.
        // Decode strip by strip; each row is converted to planes and goes through the first resize pass
        // at once, so only partly resized rows accumulate.
        int rowsPerStrip = StripSource.RowsPerStrip((long)width * bands * (bits / 8));
        // PIL's pass order for axis-swapping orientations needs full-width sums per output row: fine for
        // any real X-ray (224 × 2500 ints), not for absurd widths, which then go rows-first (within a grey
        // level of PIL rather than identical).
        bool columnsFirst = swap && (long)plan.StoredHeight * width <= MaxColumnsFirstSums;
        var sampler = spec.Interpolation == Interpolation.Nearest ? new NearestSampler(width, height, bands, orientation, plan) : null;
        if (bits == 8)
        {
            var planes = sampler is null
                ? StreamedResize.Eight(strips, rowsPerStrip, Threads, colour, plan, spec.Interpolation, columnsFirst)
                : StreamedResize.NearestEight(strips, rowsPerStrip, Threads, colour, plan, sampler);
            TensorWriter.Write<byte>(planes, colour.Planes, plan.StoredWidth, plan.StoredHeight, range, plan.Map, spec, destination);
        }
        else if (bits == 16)
        {
            var planes = sampler is null
                ? StreamedResize.Sixteen(strips, rowsPerStrip, Threads, colour, plan, spec.Interpolation, columnsFirst)
                : StreamedResize.NearestSixteen(strips, rowsPerStrip, Threads, colour, plan, sampler);
            TensorWriter.Write<float>(planes, colour.Planes, plan.StoredWidth, plan.StoredHeight, range, plan.Map, spec, destination);
        }
        else
        {
            var planes = sampler is null
                ? StreamedResize.Float(strips, rowsPerStrip, Threads, colour, plan, spec.Interpolation, columnsFirst)
                : StreamedResize.NearestFloat(strips, rowsPerStrip, Threads, colour, plan, sampler);
            TensorWriter.Write<float>(planes, colour.Planes, plan.StoredWidth, plan.StoredHeight, range, plan.Map, spec, destination);
        }
        return decoded;
    }

    /// <summary>Largest full-width accumulator (ints) the columns-first pass may use: 64 MiB.</summary>
    private const long MaxColumnsFirstSums = 16L * 1024 * 1024;

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
}
