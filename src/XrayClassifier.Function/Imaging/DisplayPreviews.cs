using NetVips;
using XrayClassifier.Function.Dicom;
using VipsImage = NetVips.Image;

namespace XrayClassifier.Function.Imaging;

/// <summary>
/// Makes <see cref="DisplayPreview"/>s from the pixels the model was given: a DICOM upload's decoded frame (the same
/// stored values, shown through the Modality LUT and the file's own VOI — <see cref="DicomImage.DisplayMapping"/> —
/// or, without one, a 0.5–99.5th percentile window; MONOCHROME1 bone-white), or a libvips image decoded again from the
/// same bytes by the same loader. Values are mapped to 16-bit levels at full size, then reduced by libvips once (Lanczos 3);
/// the 8-bit greys come from the reduced levels through one 65,536-entry table. Runs under the pipeline's libvips lock.
/// </summary>
internal static class DisplayPreviews
{
    /// <summary>The longest side of a preview (or the image's, when smaller): enough for a screen, and a 2500×2048
    /// radiograph's preview with its levels stays far inside Lambda's 6 MB answer.</summary>
    public const int MaxSide = 1024;

    private const double LowPercentile = 0.005, HighPercentile = 0.995;

    /// <summary>The preview's size for an image of <paramref name="width"/> × <paramref name="height"/>: the same
    /// rounding as the heatmap PNG, so both have the image's aspect.</summary>
    public static (int Width, int Height) Size(int width, int height)
    {
        double scale = Math.Min(1.0, (double)MaxSide / Math.Max(width, height));
        return (Math.Max(1, (int)Math.Round(width * scale)), Math.Max(1, (int)Math.Round(height * scale)));
    }

    /// <summary>A decoded DICOM frame through <paramref name="display"/> (resolved with the file's VOI).</summary>
    public static DisplayPreview ForDicom(DicomFrame frame, GreyscaleMapping display, bool withLevels)
    {
        var layout = frame.Layout;
        int smallest = layout.Smallest, count = layout.Largest - smallest + 1, pixels = frame.Width * frame.Height;
        var histogram = new int[count];
        if (frame.UnsignedValues is { } unsigned) foreach (ushort v in unsigned.AsSpan(0, pixels)) histogram[v - smallest]++;
        else foreach (int v in frame.SignedValues.AsSpan(0, pixels)) histogram[v - smallest]++;

        // The levels span the values present, in modality units, so a 12-bit frame in 16 bits keeps its detail.
        double low = double.PositiveInfinity, high = double.NegativeInfinity;
        for (int i = 0; i < count; i++)
        {
            if (histogram[i] == 0) continue;
            double x = display.ModalityValue(smallest + i);
            low = Math.Min(low, x);
            high = Math.Max(high, x);
        }
        if (!(high > low)) high = low + 1;
        bool inverted = display.Monochrome1;
        var levelOf = new ushort[count];
        for (int i = 0; i < count; i++) levelOf[i] = Level(display.ModalityValue(smallest + i), low, high, inverted);
        var levels = new ushort[pixels];
        if (frame.UnsignedValues is { } u) for (int i = 0; i < pixels; i++) levels[i] = levelOf[u[i] - smallest];
        else { var s = frame.SignedValues!; for (int i = 0; i < pixels; i++) levels[i] = levelOf[s[i] - smallest]; }

        var percentile = Percentile(histogram, pixels, i => display.ModalityValue(smallest + i));
        (double Center, double Width) window = display.Window ?? percentile;
        Func<double, double> grey = display.HasVoi ? display.Voi : x => Linear(x, percentile, inverted);
        var (width, height) = Size(frame.Width, frame.Height);
        var reduced = Reduce(levels, frame.Width, frame.Height, width, height);
        return Finish(reduced, width, height, low, high, inverted, grey, display.HasVoi ? "file" : "percentile", window, "modality", withLevels);
    }

    /// <summary>A PNG, JPEG, TIFF or WebP upload, decoded again by libvips from its bytes, shown upright (its EXIF
    /// orientation applied, as the model's input is). 16-bit images get the percentile window and levels (of the reduced
    /// image: its percentiles and extent, not the full-size one's); 8-bit ones their own greys (or colours), alpha dropped.</summary>
    public static DisplayPreview ForVips(ReadOnlySpan<byte> encoded, bool withLevels)
    {
        using var loaded = VipsImage.NewFromBuffer(encoded, access: Enums.Access.Random, failOn: Enums.FailOn.Error);
        using var upright = loaded.Autorot();
        var (width, height) = Size(upright.Width, upright.Height);
        bool sixteen = upright.Format == Enums.BandFormat.Ushort;
        VipsImage plain = upright.Interpretation == Enums.Interpretation.Cmyk
            ? upright.Colourspace(sixteen ? Enums.Interpretation.Rgb16 : Enums.Interpretation.Srgb)
            : upright.Bands is 2 or 4 ? upright.ExtractBand(0, n: upright.Bands - 1) : upright.Copy();
        using (plain)
        {
            if (!sixteen)
            {
                using var small = Resized(plain, width, height);
                return new DisplayPreview(small.PngsaveBuffer(compression: 4, keep: Enums.ForeignKeep.None), width, height, "none", null);
            }
            using var grey = plain.Bands == 1 ? plain.Copy(interpretation: Enums.Interpretation.Grey16) : plain.Colourspace(Enums.Interpretation.Grey16);
            using var reducedImage = Resized(grey, width, height);
            var samples = reducedImage.WriteToMemory<ushort>();
            var histogram = new int[65536];
            int smallest = 65535, largest = 0;
            foreach (ushort v in samples)
            {
                histogram[v]++;
                smallest = Math.Min(smallest, v);
                largest = Math.Max(largest, v);
            }
            var percentile = Percentile(histogram, samples.Length, i => i);
            // The levels span the values present, as a DICOM frame's do: a 12-bit image in a 16-bit PNG keeps its detail
            // and the browser's sliders their resolution.
            double low = smallest, high = Math.Max(largest, smallest + 1);
            var levels = new ushort[samples.Length];
            for (int i = 0; i < levels.Length; i++) levels[i] = Level(samples[i], low, high, false);
            return Finish(levels, width, height, low, high, false, x => Linear(x, percentile, false), "percentile", percentile, "sample", withLevels);
        }
    }

    /// <summary>Builds the 8-bit PNG (and the levels PNG when asked) from the reduced levels.</summary>
    private static DisplayPreview Finish(ushort[] reduced, int width, int height, double low, double high, bool inverted,
        Func<double, double> grey, string windowName, (double Center, double Width) window, string units, bool withLevels)
    {
        var greyOf = new byte[65536];
        for (int level = 0; level < greyOf.Length; level++)
        {
            double x = low + (inverted ? 65535 - level : level) / 65535.0 * (high - low);
            greyOf[level] = (byte)Math.Round(255 * Math.Clamp(grey(x), 0, 1), MidpointRounding.AwayFromZero);
        }
        var greys = new byte[reduced.Length];
        for (int i = 0; i < greys.Length; i++) greys[i] = greyOf[reduced[i]];
        byte[] png;
        using (var image = VipsImage.NewFromMemory(greys, width, height, 1, Enums.BandFormat.Uchar))
            png = image.PngsaveBuffer(compression: 4, keep: Enums.ForeignKeep.None);
        DisplayLevels? levels = null;
        if (withLevels)
        {
            var rgb = new byte[reduced.Length * 3];
            for (int i = 0; i < reduced.Length; i++)
            {
                rgb[3 * i] = (byte)(reduced[i] >> 8);
                rgb[3 * i + 1] = (byte)reduced[i];
            }
            using var image = VipsImage.NewFromMemory(rgb, width, height, 3, Enums.BandFormat.Uchar);
            levels = new DisplayLevels(image.PngsaveBuffer(compression: 4, keep: Enums.ForeignKeep.None), low, high, inverted, window.Center, window.Width, units);
        }
        return new DisplayPreview(png, width, height, windowName, levels);
    }

    private static ushort Level(double x, double low, double high, bool inverted)
    {
        double t = Math.Clamp((x - low) / (high - low), 0, 1);
        int level = (int)Math.Round(65535 * t, MidpointRounding.AwayFromZero);
        return (ushort)(inverted ? 65535 - level : level);
    }

    /// <summary>The linear window's grey of <paramref name="x"/>, 1 white; MONOCHROME1's reversed.</summary>
    private static double Linear(double x, (double Center, double Width) window, bool inverted)
    {
        double y = Math.Clamp((x - (window.Center - window.Width / 2)) / window.Width, 0, 1);
        return inverted ? 1 - y : y;
    }

    /// <summary>The window from the 0.5th to the 99.5th percentile of the values (bin i is value <paramref name="valueOf"/>(i)).</summary>
    private static (double Center, double Width) Percentile(int[] histogram, int total, Func<int, double> valueOf)
    {
        long lowCount = (long)Math.Ceiling(total * LowPercentile), highCount = (long)Math.Ceiling(total * HighPercentile);
        int lowBin = -1, highBin = histogram.Length - 1;
        long seen = 0;
        for (int i = 0; i < histogram.Length; i++)
        {
            seen += histogram[i];
            if (lowBin < 0 && seen >= Math.Max(1, lowCount)) lowBin = i;
            if (seen >= highCount) { highBin = i; break; }
        }
        double a = valueOf(Math.Max(lowBin, 0)), b = valueOf(highBin);
        double lo = Math.Min(a, b), hi = Math.Max(a, b);
        return ((lo + hi) / 2, Math.Max(hi - lo, 1));
    }

    private static ushort[] Reduce(ushort[] levels, int width, int height, int toWidth, int toHeight)
    {
        using var full = VipsImage.NewFromMemory(levels, width, height, 1, Enums.BandFormat.Ushort);
        using var grey = full.Copy(interpretation: Enums.Interpretation.Grey16);
        using var reduced = Resized(grey, toWidth, toHeight);
        return reduced.WriteToMemory<ushort>();
    }

    /// <summary><paramref name="image"/> at exactly <paramref name="width"/> × <paramref name="height"/> (Lanczos 3).</summary>
    private static VipsImage Resized(VipsImage image, int width, int height)
    {
        if (image.Width == width && image.Height == height) return image.Copy();
        var resized = image.Resize((double)width / image.Width, vscale: (double)height / image.Height);
        if (resized.Width == width && resized.Height == height) return resized;
        using (resized)
            return resized.Width >= width && resized.Height >= height
                ? resized.Crop(0, 0, width, height)
                : resized.Embed(0, 0, width, height, extend: Enums.Extend.Copy);
    }
}
