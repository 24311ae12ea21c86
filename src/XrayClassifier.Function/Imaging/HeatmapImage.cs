namespace XrayClassifier.Function.Imaging;

/// <summary>
/// Draws a class activation map as a PNG to lay over the uploaded image: ReLU(cam) divided by its maximum,
/// sampled bilinearly (cell centres, edges clamped, as CAM papers' upsampling) at the image's aspect ratio,
/// coloured with the jet colour map, opaque where the model looked and transparent where the image was
/// cropped away before the model saw it (<c>cover</c>, <c>center-square</c>). Encoded by libvips.
/// </summary>
public static class HeatmapImage
{
    /// <summary>The longest side of the PNG (or the image's, when smaller).</summary>
    public const int MaxSide = 160;

    /// <summary>Renders <paramref name="grid"/> (row-major, <paramref name="gridWidth"/> × <paramref name="gridHeight"/>) for an
    /// image of <paramref name="imageWidth"/> × <paramref name="imageHeight"/> preprocessed by <paramref name="spec"/>.</summary>
    public static byte[] Png(ReadOnlySpan<float> grid, int gridWidth, int gridHeight, int imageWidth, int imageHeight, PreprocessSpec spec,
        out int width, out int height)
    {
        double scale = Math.Min(1.0, (double)MaxSide / Math.Max(imageWidth, imageHeight));
        width = Math.Max(1, (int)Math.Round(imageWidth * scale));
        height = Math.Max(1, (int)Math.Round(imageHeight * scale));

        float max = 0;
        foreach (float v in grid) max = Math.Max(max, v);
        var region = ModelRegion(imageWidth, imageHeight, spec);

        var rgba = new byte[width * height * 4];
        for (int py = 0; py < height; py++)
        {
            double fy = ((py + 0.5) * imageHeight / height - region.Top) / region.Height;
            for (int px = 0; px < width; px++)
            {
                double fx = ((px + 0.5) * imageWidth / width - region.Left) / region.Width;
                int o = (py * width + px) * 4;
                if (fx < 0 || fx >= 1 || fy < 0 || fy >= 1) continue; // cropped away: transparent
                double t = max > 0 ? Math.Max(0, Sample(grid, gridWidth, gridHeight, fx * gridWidth - 0.5, fy * gridHeight - 0.5)) / max : 0;
                Jet(t, out rgba[o], out rgba[o + 1], out rgba[o + 2]);
                rgba[o + 3] = 255;
            }
        }
        using var image = NetVips.Image.NewFromMemory(rgba, width, height, 4, NetVips.Enums.BandFormat.Uchar);
        // A 7×7 grid has no detail a larger PNG would show: the browser scales it up smoothly.
        return image.PngsaveBuffer(compression: 4, filter: NetVips.Enums.ForeignPngFilter.All);
    }

    /// <summary>The part of the image the model's input covers, in image pixels.</summary>
    internal static (double Left, double Top, double Width, double Height) ModelRegion(int imageWidth, int imageHeight, PreprocessSpec spec)
    {
        if (spec.Crop == CropMode.CenterSquare)
        {
            int side = Math.Min(imageWidth, imageHeight);
            return (imageWidth / 2 - side / 2, imageHeight / 2 - side / 2, side, side);
        }
        if (spec.Resize == ResizeMode.Cover)
        {
            double s = Math.Max((double)spec.Width / imageWidth, (double)spec.Height / imageHeight);
            double w = spec.Width / s, h = spec.Height / s;
            return ((imageWidth - w) / 2, (imageHeight - h) / 2, w, h);
        }
        return (0, 0, imageWidth, imageHeight);
    }

    private static double Sample(ReadOnlySpan<float> grid, int w, int h, double u, double v)
    {
        u = Math.Clamp(u, 0, w - 1);
        v = Math.Clamp(v, 0, h - 1);
        int x0 = (int)u, y0 = (int)v;
        int x1 = Math.Min(x0 + 1, w - 1), y1 = Math.Min(y0 + 1, h - 1);
        double ax = u - x0, ay = v - y0;
        double top = grid[y0 * w + x0] * (1 - ax) + grid[y0 * w + x1] * ax;
        double bottom = grid[y1 * w + x0] * (1 - ax) + grid[y1 * w + x1] * ax;
        return top * (1 - ay) + bottom * ay;
    }

    /// <summary>The jet colour map: blue (0) through cyan, yellow to red (1).</summary>
    private static void Jet(double t, out byte r, out byte g, out byte b)
    {
        r = Channel(1.5 - Math.Abs(4 * t - 3));
        g = Channel(1.5 - Math.Abs(4 * t - 2));
        b = Channel(1.5 - Math.Abs(4 * t - 1));
    }

    private static byte Channel(double v) => (byte)Math.Round(Math.Clamp(v, 0, 1) * 255);
}
