using System.Globalization;
using NetVips;
using XrayClassifier.Function.Configuration;
using XrayClassifier.Function.Dicom;
using XrayClassifier.Function.Imaging.Vips;
using VipsImage = NetVips.Image;

namespace XrayClassifier.Function.Imaging;

/// <summary>
/// Encoded image bytes → the model's input tensor, via NetVips over libvips loaded from the EFS runtime folder.
/// Thread-safe; one instance per container. Runs are serialised, because libvips reports errors through
/// one process-wide buffer and a message must belong to the request that caused it.
/// </summary>
/// <remarks>
/// The path, per upload (its format identified where it came in, <see cref="ImageFormat.Identify"/>): that format's own libvips loader
/// (sequential access, fail_on=error, so truncation fails instead of padding) → width/height/depth checked
/// from the header before a pixel is decoded → pixels decoded strip by strip; each row is converted to
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

    /// <summary>Threads per run: with two or more, libvips decodes the next strip while the current one
    /// is resampled (also set as libvips's own worker count, process-wide).</summary>
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
                var decoded = format == ImageFormat.Dicom ? RunDicom(encoded, spec, destination) : Run(encoded.Span, format, spec, destination);
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

    private DecodedImage Run(ReadOnlySpan<byte> encoded, ImageFormat format, PreprocessSpec spec, Span<float> destination)
    {
        using var decoded = Load(encoded, format, format.DisplayName);
        return Stream(decoded, format, format.DisplayName, spec, destination);
    }

    /// <summary>
    /// A DICOM upload: <see cref="DicomDecoder"/> reads the first frame's stored values and the manifest's
    /// <c>dicom.voi</c> mapping, then the frame enters the same streaming path as any decoded image. With
    /// BitsStored ≤ 8 and no VOI it is an 8-bit grey image (a JPEG Baseline frame goes through the JPEG
    /// path itself, so it gives exactly the tensor that JPEG gives); otherwise the mapped [0, 1] values are a
    /// float image, resampled in the floating point 16-bit images use: no rounding to 16 bits, which with
    /// torchxrayvision's ±1024 scaling alone would cost up to 0.016 per element.
    /// </summary>
    private DecodedImage RunDicom(ReadOnlyMemory<byte> encoded, PreprocessSpec spec, Span<float> destination)
    {
        // The byte limit was checked once where the upload came in (ImageLimits: XRAY_MAX_IMAGE_BYTES, or
        // XRAY_MAX_UPLOAD_BYTES for a study fetched from S3); here only the pixel and inflation bounds apply.
        var dicom = DicomDecoder.Decode(encoded, DicomLimits.For(encoded.Length, Limits.MaxPixels), spec.DicomVoi);
        var summary = dicom.Summary;
        Limits.CheckSides(summary.Columns, summary.Rows);
        const string FrameName = "DICOM JPEG Baseline frame";
        bool noVoi = summary.VoiApplied is VoiApplied.None or VoiApplied.FellBackToNone;
        DecodedImage result;
        Func<byte[]> derivative;
        DicomFrame frame;
        if (dicom.BaselineJpeg is { } jpeg)
        {
            using var decoded = Load(jpeg, ImageFormat.Jpeg, FrameName);
            if (decoded.Bands != 1 || decoded.Width != summary.Columns || decoded.Height != summary.Rows || decoded.Format != Enums.BandFormat.Uchar)
                throw DicomRejectedException.Malformed(
                    $"The DICOM JPEG Baseline frame is {decoded.Width}×{decoded.Height} with {decoded.Bands} component(s); the data set says {summary.Columns}×{summary.Rows} MONOCHROME, one 8-bit sample per pixel.");
            // The frame's own stored values, decoded once more from the JPEG when the workspace asks for them.
            derivative = () => Encode(() => Load(jpeg, ImageFormat.Jpeg, FrameName));
            if (noVoi && summary.PhotometricInterpretation == "MONOCHROME2" && summary.BitsStored == 8 && !dicom.Layout.Signed)
            {
                result = Stream(decoded, ImageFormat.Dicom, FrameName, spec, destination);
                return result with { Dicom = new DecodedDicom(summary, derivative, 0) };
            }
            byte[] samples;
            try { samples = decoded.WriteToMemory<byte>(); }
            catch (VipsException e)
            {
                throw new ImageRejectedException(ImageRejection.Corrupt, $"The {FrameName} is truncated or corrupt and cannot be decoded. (libvips: {Detail(e)})", e);
            }
            frame = dicom.FrameFromBaselineJpeg(samples, decoded.Width, decoded.Height);
        }
        else
        {
            frame = dicom.Frame!;
            derivative = () => Encode(() => StoredValuesImage(frame));
        }

        const string Name = "DICOM";
        if (frame.FitsEightBitPath)
        {
            using var grey = VipsImage.NewFromMemory(frame.ToEightBitGrey(), frame.Width, frame.Height, 1, Enums.BandFormat.Uchar);
            result = Stream(grey, ImageFormat.Dicom, Name, spec, destination);
        }
        else
        {
            using var unit = VipsImage.NewFromMemory(frame.ToUnitInterval(), frame.Width, frame.Height, 1, Enums.BandFormat.Float);
            result = Stream(unit, ImageFormat.Dicom, Name, spec, destination);
        }
        // Only the 8-bit frames' JPEG path keeps no stored values around: theirs are the JPEG's decode.
        return result with { Dicom = new DecodedDicom(summary, derivative, -frame.Layout.Smallest) };
    }

    /// <summary>The frame's stored values as a grey image: 8-bit when BitsStored ≤ 8, else 16-bit; signed values
    /// offset by 2^(BitsStored−1) so that the smallest storable value is 0.</summary>
    private static VipsImage StoredValuesImage(DicomFrame frame)
    {
        int smallest = frame.Layout.Smallest, count = frame.Width * frame.Height;
        if (frame.BitsStored <= 8)
        {
            var bytes = new byte[count];
            for (int i = 0; i < count; i++) bytes[i] = (byte)(frame.StoredValue(i) - smallest);
            return VipsImage.NewFromMemory(bytes, frame.Width, frame.Height, 1, Enums.BandFormat.Uchar);
        }
        var words = frame.UnsignedValues ?? new ushort[count];
        if (frame.SignedValues is { } signed)
            for (int i = 0; i < count; i++) words[i] = (ushort)(signed[i] - smallest);
        // Made from memory, a ushort image is "multiband" and pngsave would write it as 8-bit: say it is grey16.
        using var raw = VipsImage.NewFromMemory(words, frame.Width, frame.Height, 1, Enums.BandFormat.Ushort);
        return raw.Copy(interpretation: Enums.Interpretation.Grey16);
    }

    /// <summary>A lossless PNG of the image <paramref name="make"/> builds, under the pipeline's lock (libvips's
    /// error buffer is process-wide).</summary>
    private byte[] Encode(Func<VipsImage> make)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            VipsErrors.Clear();
            try
            {
                using var image = make();
                return image.PngsaveBuffer(compression: 6);
            }
            catch (VipsException e)
            {
                throw new ImageRejectedException(ImageRejection.Corrupt, $"The DICOM frame could not be stored as PNG. (libvips: {Detail(e)})", e);
            }
            finally
            {
                VipsErrors.Clear();
            }
        }
    }

    /// <summary>A header-checked image (from a loader, or made from memory) → the tensor, strip by strip.</summary>
    private DecodedImage Stream(VipsImage decoded, ImageFormat format, string formatName, PreprocessSpec spec, Span<float> destination)
    {
        int width = decoded.Width, height = decoded.Height, bands = decoded.Bands;
        Limits.CheckPixels(width, height);

        var orientation = decoded.GetTypeOf("orientation") != IntPtr.Zero && decoded.Get("orientation") is int tag && tag is >= 1 and <= 8
            ? (ExifOrientation)tag : ExifOrientation.Upright;
        bool swap = PixelMap.SwapsAxes(orientation);
        int displayedWidth = swap ? height : width, displayedHeight = swap ? width : height;
        Limits.CheckSides(displayedWidth, displayedHeight);

        int bits = decoded.Format switch
        {
            Enums.BandFormat.Uchar => 8,
            Enums.BandFormat.Ushort => 16,
            // Only ever made from memory: a DICOM frame's mapped greys. Uploaded float images stay refused.
            Enums.BandFormat.Float when format == ImageFormat.Dicom => 32,
            var other => throw new ImageRejectedException(ImageRejection.UnsupportedFormat,
                $"This {formatName} holds {Describe(other)} samples; only 8- and 16-bit unsigned images are accepted. Convert it to 8- or 16-bit greyscale or RGB."),
        };
        bool cmyk = IsCmyk(decoded.Interpretation, bands, formatName);
        if (spec.Resize == ResizeMode.SkimageLinear)
        {
            try
            {
                using var rows = new VipsStripReader(decoded);
                SkimageResize.Write(rows, Threads, bits, bands, cmyk, orientation, spec, destination);
            }
            catch (VipsException e)
            {
                throw new ImageRejectedException(ImageRejection.Corrupt,
                    $"The {formatName} image data is truncated or corrupt and cannot be decoded. (libvips: {Detail(e)})", e);
            }
            return new DecodedImage(format, displayedWidth, displayedHeight, bands, bits);
        }
        var colour = ColourPlanes.For(bands, cmyk, spec.Channels);
        var plan = ResizePlan.For(displayedWidth, displayedHeight, orientation, spec);
        float range = bits switch { 8 => 255f, 16 => 65535f, _ => 1f };

        // JPEGs too are decoded at full size: libjpeg's ½/¼/⅛ DCT-scaled decode would save a third of a large
        // JPEG's decode time, but moves sharp content (burned-in text, markers, collimator edges) by up to 17
        // grey levels against PIL's full decode + resize (FidelityTests); a model sees those pixels.
        // Decode strip by strip; each row is converted to planes and goes through the first resize pass
        // at once, so only partly resized rows accumulate.
        int rowsPerStrip = Math.Clamp(VipsStripReader.MaxStripBytes / Math.Max(1, width * bands * (bits / 8)), 1, 256);
        // PIL's pass order for axis-swapping orientations needs full-width sums per output row: fine for
        // any real X-ray (224 × 2500 ints), not for absurd widths, which then go rows-first (within a grey
        // level of PIL rather than identical).
        bool columnsFirst = swap && (long)plan.StoredHeight * width <= MaxColumnsFirstSums;
        try
        {
            using var strips = new VipsStripReader(decoded);
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
        }
        catch (VipsException e)
        {
            throw new ImageRejectedException(ImageRejection.Corrupt,
                $"The {formatName} image data is truncated or corrupt and cannot be decoded. (libvips: {Detail(e)})", e);
        }
        return new DecodedImage(format, displayedWidth, displayedHeight, bands, bits);
    }

    /// <summary>That format's own loader: sequential access — the header is read now, pixels stream later,
    /// and nothing holds the whole image — and fail_on=error, which also fails truncated files instead of
    /// returning them padded with grey.</summary>
    /// <remarks>NetVips's NewFromBuffer(ReadOnlySpan) hands libvips one native copy of the bytes (libvips
    /// decodes lazily, after this call returns) without a managed copy, which for a large upload would be a
    /// large-object allocation per request; it picks the loader by sniffing, so the loader it will pick is
    /// checked against the format detected from the magic number first.</remarks>
    private static VipsImage Load(ReadOnlySpan<byte> encoded, ImageFormat format, string formatName)
    {
        string? sniffed = VipsImage.FindLoadBuffer(encoded);
        if (sniffed != VipsRuntime.LoaderTypeName(format.VipsLoader!))
            throw new ImageRejectedException(ImageRejection.Corrupt,
                $"The file starts like a {formatName} but its header cannot be read; it is corrupt or not really a {formatName}. (libvips: {(sniffed is null ? "no loader recognises it" : $"it reads as {sniffed}")})");
        try
        {
            return VipsImage.NewFromBuffer(encoded, access: Enums.Access.Sequential, failOn: Enums.FailOn.Error);
        }
        catch (VipsException e)
        {
            throw new ImageRejectedException(ImageRejection.Corrupt,
                $"The file starts like a {formatName} but its header cannot be read; it is corrupt or not really a {formatName}. (libvips: {Detail(e)})", e);
        }
    }

    /// <summary>Largest full-width accumulator (ints) the columns-first pass may use: 64 MiB.</summary>
    private const long MaxColumnsFirstSums = 16L * 1024 * 1024;

    /// <summary>libvips's error text; when a loader failed without any, the warnings it logged instead.</summary>
    private static string Detail(VipsException e)
    {
        string text = VipsErrors.Text(e);
        if (text.Length > 0) return text;
        var (warnings, _) = VipsLog.EndCapture();
        VipsLog.BeginCapture();
        return warnings.Count > 0 ? string.Join("; ", warnings.Take(3)) : "no detail given";
    }

    /// <summary>CMYK is converted (PIL's way); other colour spaces a TIFF can hold are refused.</summary>
    private static bool IsCmyk(Enums.Interpretation interpretation, int bands, string formatName)
    {
        switch (interpretation)
        {
            case Enums.Interpretation.Cmyk when bands >= 4:
                return true;
            case Enums.Interpretation.Lab or Enums.Interpretation.Labs or Enums.Interpretation.Labq or Enums.Interpretation.Xyz
                or Enums.Interpretation.Yxy or Enums.Interpretation.Cmc or Enums.Interpretation.Lch or Enums.Interpretation.Hsv
                or Enums.Interpretation.Scrgb or Enums.Interpretation.Fourier or Enums.Interpretation.Histogram or Enums.Interpretation.Matrix:
                throw new ImageRejectedException(ImageRejection.UnsupportedFormat,
                    $"This {formatName} is in the {interpretation.ToString().ToUpperInvariant()} colour space; only greyscale, RGB and CMYK images are accepted. Convert it to greyscale or RGB.");
        }
        if (bands > 4)
            throw new ImageRejectedException(ImageRejection.UnsupportedFormat,
                $"This {formatName} has {bands} bands; only greyscale and RGB images (with or without alpha) are accepted.");
        return false;
    }

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

    private static string Describe(Enums.BandFormat sampleFormat) => sampleFormat switch
    {
        Enums.BandFormat.Char => "signed 8-bit",
        Enums.BandFormat.Short => "signed 16-bit",
        Enums.BandFormat.Uint => "32-bit integer",
        Enums.BandFormat.Int => "signed 32-bit integer",
        Enums.BandFormat.Float => "32-bit floating-point",
        Enums.BandFormat.Double => "64-bit floating-point",
        Enums.BandFormat.Complex or Enums.BandFormat.Dpcomplex => "complex",
        _ => sampleFormat.ToString(),
    };
}
