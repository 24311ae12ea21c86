using NetVips;
using VipsImage = NetVips.Image;

namespace XrayClassifier.Function.Imaging.Vips;

/// <summary>
/// A format libvips reads (PNG, JPEG, TIFF, WebP): its own loader, named in the format's table entry, so
/// libvips never guesses. Sequential access — the header is read now, pixels stream later as the strips are
/// read, and nothing holds the whole image — and fail_on=error, which also fails truncated files instead of
/// returning them padded with grey.
/// </summary>
/// <remarks>Names no NetVips type in a field: the table's entries (and so this class) are created before
/// libvips is loaded (<see cref="VipsRuntime"/>).</remarks>
internal sealed class VipsLoaderDecoder(string loader) : IImageDecoder
{
    /// <summary>The libvips operation that decodes the format from memory ("pngload_buffer"), the only one.</summary>
    public IReadOnlyList<string> VipsLoaders => [loader];

    public OpenedImage Open(ReadOnlyMemory<byte> encoded, ImageFormat format, ImagePipeline pipeline, PreprocessSpec spec) =>
        Open(Load(encoded.Span, format.DisplayName), format.DisplayName, pipeline.Limits) with
        {
            // The same bytes through the same loader (Load's sniff check has already passed for them).
            Preview = withLevels => DisplayPreviews.ForVips(encoded.Span, withLevels),
        };

    /// <summary>The loader's image of <paramref name="encoded"/>, header read, pixels not yet decoded.</summary>
    /// <remarks>NetVips's NewFromBuffer(ReadOnlySpan) hands libvips one native copy of the bytes (libvips
    /// decodes lazily, after this call returns) without a managed copy, which for a large upload would be a
    /// large-object allocation per request; it picks the loader by sniffing, so the loader it will pick is
    /// checked against this one first.</remarks>
    internal VipsImage Load(ReadOnlySpan<byte> encoded, string formatName)
    {
        string? sniffed = VipsImage.FindLoadBuffer(encoded);
        if (sniffed != VipsRuntime.LoaderTypeName(loader))
            throw new ImageRejectedException(ImageRejection.Corrupt,
                $"The file starts like a {formatName} but its header cannot be read; it is corrupt or not really a {formatName}. (libvips: {(sniffed is null ? "no loader recognises it" : $"it reads as {sniffed}")})");
        try
        {
            return VipsImage.NewFromBuffer(encoded, access: Enums.Access.Sequential, failOn: Enums.FailOn.Error);
        }
        catch (VipsException e)
        {
            throw new ImageRejectedException(ImageRejection.Corrupt,
                $"The file starts like a {formatName} but its header cannot be read; it is corrupt or not really a {formatName}. (libvips: {VipsErrors.Detail(e)})", e);
        }
    }

    /// <summary>
    /// A loaded image, header checked — width × height against the pixel limit, the displayed sides against
    /// the smallest, 8- or 16-bit unsigned samples, greyscale, RGB or CMYK — before a pixel is decoded.
    /// Takes ownership of <paramref name="image"/> (disposed here if it is refused).
    /// </summary>
    internal static OpenedImage Open(VipsImage image, string formatName, ImageLimits limits)
    {
        try
        {
            int width = image.Width, height = image.Height, bands = image.Bands;
            limits.CheckPixels(width, height);

            var orientation = image.GetTypeOf("orientation") != IntPtr.Zero && image.Get("orientation") is int tag && tag is >= 1 and <= 8
                ? (ExifOrientation)tag : ExifOrientation.Upright;
            bool swap = PixelMap.SwapsAxes(orientation);
            limits.CheckSides(swap ? height : width, swap ? width : height);

            int bits = image.Format switch
            {
                Enums.BandFormat.Uchar => 8,
                Enums.BandFormat.Ushort => 16,
                var other => throw new ImageRejectedException(ImageRejection.UnsupportedFormat,
                    $"This {formatName} holds {Describe(other)} samples; only 8- and 16-bit unsigned images are accepted. Convert it to 8- or 16-bit greyscale or RGB."),
            };
            bool cmyk = IsCmyk(image.Interpretation, bands, formatName);
            return new OpenedImage(new VipsStripReader(image, formatName), bands, bits, cmyk, orientation);
        }
        catch
        {
            image.Dispose();
            throw;
        }
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

    // libvips's own enum, not a domain one: a sample format it adds later is named as it names it.
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
