using NetVips;
using XrayClassifier.Function.Dicom;
using VipsImage = NetVips.Image;

namespace XrayClassifier.Function.Imaging;

/// <summary>
/// Makes <see cref="DisplayPreview"/>s from the pixels the model was given: a DICOM upload's decoded frame (the same
/// stored values, shown through the Modality LUT and the file's own VOI — <see cref="DicomImage.DisplayMapping"/> —
/// or, without one, a 0.5–99.5th percentile window; MONOCHROME1 bone-white), or a libvips image decoded again from the
/// same bytes by the same loader. Values are mapped to 16-bit levels row by row and reduced once (PIL's antialiased bilinear);
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
            if (!double.IsFinite(x)) continue;   // a hostile RescaleSlope; such values show as black
            low = Math.Min(low, x);
            high = Math.Max(high, x);
        }
        if (!double.IsFinite(low)) (low, high) = (0, 1);
        if (!(high > low)) high = low + 1;
        bool inverted = display.Monochrome1;
        var levelOf = new float[count];
        for (int i = 0; i < count; i++) levelOf[i] = Level(display.ModalityValue(smallest + i), low, high, inverted);
        int columns = frame.Width;
        void ReadRow(int y, Span<float> row)
        {
            if (frame.UnsignedValues is { } u) { var values = u.AsSpan(y * columns, columns); for (int i = 0; i < columns; i++) row[i] = levelOf[values[i] - smallest]; }
            else { var values = frame.SignedValues.AsSpan(y * columns, columns); for (int i = 0; i < columns; i++) row[i] = levelOf[values[i] - smallest]; }
        }

        var percentile = Percentile(histogram, pixels, i => display.ModalityValue(smallest + i));
        (double Center, double Width) window = display.Window ?? percentile;
        Func<double, double> grey = display.HasVoi ? display.Voi : x => Linear(x, percentile, inverted);
        var (width, height) = Size(frame.Width, frame.Height);
        var reduced = Reduce(frame.Width, frame.Height, width, height, ReadRow);
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
            var full = grey.WriteToMemory<ushort>();
            int columns = grey.Width;
            var samples = Reduce(grey.Width, grey.Height, width, height, (y, row) =>
            {
                var values = full.AsSpan(y * columns, columns);
                for (int i = 0; i < columns; i++) row[i] = values[i];
            });
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
            for (int i = 0; i < levels.Length; i++) levels[i] = (ushort)Level(samples[i], low, high, false);
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
            double y = grey(x);
            greyOf[level] = double.IsNaN(y) ? (byte)0 : (byte)Math.Round(255 * Math.Clamp(y, 0, 1), MidpointRounding.AwayFromZero);
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

    /// <summary>The level (0…65535, a whole number) of value <paramref name="x"/>.</summary>
    private static float Level(double x, double low, double high, bool inverted)
    {
        double t = double.IsNaN(x) ? 0 : Math.Clamp((x - low) / (high - low), 0, 1);
        int level = (int)Math.Round(65535 * t, MidpointRounding.AwayFromZero);
        return inverted ? 65535 - level : level;
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
        if (!double.IsFinite(lo) || !double.IsFinite(hi)) return (0.5, 1);
        return ((lo + hi) / 2, Math.Max(hi - lo, 1));
    }

    /// <summary>
    /// A grey image of <paramref name="width"/> × <paramref name="height"/> (each row given by <paramref name="readRow"/>)
    /// reduced to <paramref name="toWidth"/> × <paramref name="toHeight"/> with PIL's antialiased BILINEAR (the
    /// pipeline's <see cref="ResampleCoefficients"/>), in floating point, rows then columns; rounded to 16 bits.
    /// libvips's Lanczos 3 reduce of a 2500×2048 16-bit frame took 80–190 ms on this (heavily shared) VM, this 44–82 ms.
    /// </summary>
    private static ushort[] Reduce(int width, int height, int toWidth, int toHeight, Action<int, Span<float>> readRow)
    {
        var across = width == toWidth ? null : ResampleCoefficients.For(width, toWidth, Interpolation.Bilinear);
        var down = height == toHeight ? null : ResampleCoefficients.For(height, toHeight, Interpolation.Bilinear);
        var rows = new float[(long)height * toWidth];
        var row = new float[width];
        for (int y = 0; y < height; y++)
        {
            readRow(y, row);
            var into = rows.AsSpan(y * toWidth, toWidth);
            if (across is null) { row.CopyTo(into); continue; }
            for (int o = 0; o < toWidth; o++)
            {
                int start = across.Starts[o], taps = across.Counts[o], w = o * across.Stride;
                float sum = 0;
                for (int k = 0; k < taps; k++) sum += row[start + k] * across.Single[w + k];
                into[o] = sum;
            }
        }
        var reduced = new ushort[toWidth * toHeight];
        var sums = new float[toWidth];
        for (int o = 0; o < toHeight; o++)
        {
            int start = down?.Starts[o] ?? o, taps = down?.Counts[o] ?? 1, w = o * (down?.Stride ?? 0);
            var output = reduced.AsSpan(o * toWidth, toWidth);
            Array.Clear(sums);
            for (int k = 0; k < taps; k++)
            {
                float weight = down is null ? 1 : down.Single[w + k];
                var source = rows.AsSpan((start + k) * toWidth, toWidth);
                for (int x = 0; x < toWidth; x++) sums[x] += source[x] * weight;
            }
            for (int x = 0; x < toWidth; x++) output[x] = (ushort)Math.Clamp(Math.Round(sums[x]), 0, 65535);
        }
        return reduced;
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
