using System.Runtime.CompilerServices;

namespace XrayClassifier.Function.Imaging;

/// <summary>
/// torchxrayvision's preprocessing after the decode, for <see cref="ResizeMode.SkimageLinear"/>: normalise
/// each value ((p/range − mean)/std, so mean 0.5 and std 1/2048 give its [−1024, 1024]), colour to one
/// channel (<see cref="GreyConversion"/>), <see cref="CropMode.CenterSquare"/> (XRayCenterCrop's integer
/// offsets), then <c>skimage.transform.resize(img, (1, h, w), mode='constant', preserve_range=True)</c>
/// (XRayResizer): when any side shrinks, a Gaussian pre-filter per axis with σ = max(0, (in/out − 1)/2),
/// radius ⌊4σ + 0.5⌋, then first-order interpolation at input coordinate (o + 0.5)·in/out − 0.5, both
/// reading 0 beyond the (cropped) image — scipy's 'grid-constant' with cval 0, on normalised values, as
/// torchxrayvision resizes after normalising. Both steps are linear and separable, so each axis becomes
/// one set of weights (the interpolation's two taps, each spread by the Gaussian) and the image streams
/// through them like the PIL resampler: a decoded row is reduced to the output's columns at once, and only
/// those reduced rows are kept. EXIF orientation maps each displayed axis onto a stored one.
/// </summary>
internal static class SkimageResize
{
    /// <summary>Decodes <paramref name="rows"/> strip by strip into <paramref name="destination"/> (NCHW,
    /// spec.Channels planes of spec.Height×spec.Width). Decoding errors surface as <see cref="ImageRejectedException"/>.</summary>
    public static void Write(IStripSource rows, int threads, int bits, int bands, bool cmyk, ExifOrientation orientation,
        PreprocessSpec spec, Span<float> destination)
    {
        int storedWidth = rows.Width, storedHeight = rows.Height;
        bool swap = PixelMap.SwapsAxes(orientation);
        int displayedWidth = swap ? storedHeight : storedWidth, displayedHeight = swap ? storedWidth : storedHeight;

        // XRayCenterCrop: crop = min(h, w); start = side // 2 − crop // 2.
        int cropWidth = displayedWidth, cropHeight = displayedHeight, left = 0, top = 0;
        if (spec.Crop == CropMode.CenterSquare)
        {
            int side = Math.Min(displayedWidth, displayedHeight);
            left = displayedWidth / 2 - side / 2;
            top = displayedHeight / 2 - side / 2;
            cropWidth = cropHeight = side;
        }
        bool antiAlias = spec.Width < cropWidth || spec.Height < cropHeight;
        var alongX = AxisWeights.For(cropWidth, spec.Width, left, antiAlias);
        var alongY = AxisWeights.For(cropHeight, spec.Height, top, antiAlias);

        // Displayed axes onto stored ones: stored x = X0 + XX·x + XY·y, stored y = Y0 + YX·x + YY·y.
        var map = PixelMap.For(orientation, storedWidth, storedHeight);
        var storedX = swap ? alongY.OnStoredAxis(map.X0, map.XY) : alongX.OnStoredAxis(map.X0, map.XX);
        var storedY = swap ? alongX.OnStoredAxis(map.Y0, map.YX) : alongY.OnStoredAxis(map.Y0, map.YY);

        // Planes out of the decoder: R, G, B when colour is reduced by mean or first channel; otherwise as the PIL path makes them.
        bool reduceHere = spec.Channels == 1 && spec.Grey != GreyConversion.Luma;
        var colour = ColourPlanes.For(bands, cmyk, reduceHere ? 3 : spec.Channels);
        int planes = colour.Planes == 3 && spec.Channels == 1 ? 1 : colour.Planes;
        var scale = new float[planes];
        var bias = new float[planes];
        float range = bits switch { 8 => 255f, 16 => 65535f, _ => 1f };
        for (int c = 0; c < planes; c++)
        {
            scale[c] = 1f / (range * spec.Std[c]);
            bias[c] = -spec.Mean[c] / spec.Std[c];
        }

        int reducedWidth = storedX.Count;
        var reduced = new float[planes * storedHeight * reducedWidth];
        var normalised = new float[planes * storedWidth];
        var p8 = bits == 8 ? new int[3 * storedWidth] : null;
        var p16 = bits == 8 ? null : new float[3 * storedWidth];
        int rowsPerStrip = StripSource.RowsPerStrip((long)storedWidth * bands * (bits / 8));

        StripSource.ForEach(rows, rowsPerStrip, threads, (stripTop, count, strip) =>
        {
            int rowSamples = storedWidth * bands;
            for (int r = 0; r < count; r++)
            {
                int y = stripTop + r;
                if (!storedY.Reads(y)) continue;
                if (bits == 8)
                {
                    var p = p8!.AsSpan();
                    colour.Convert(strip.AsSpan(r * rowSamples, rowSamples), p[..storedWidth], p.Slice(storedWidth, storedWidth), p[(2 * storedWidth)..]);
                    Normalise<int>(p, colour.Planes, storedWidth, spec, scale, bias, normalised);
                }
                else
                {
                    var p = p16!.AsSpan();
                    if (bits == 16)
                        colour.Convert(System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ushort>(strip.AsSpan()).Slice(r * rowSamples, rowSamples), p[..storedWidth], p.Slice(storedWidth, storedWidth), p[(2 * storedWidth)..]);
                    else
                        colour.Convert(System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(strip.AsSpan()).Slice(r * rowSamples, rowSamples), p[..storedWidth], p.Slice(storedWidth, storedWidth), p[(2 * storedWidth)..]);
                    Normalise<float>(p, colour.Planes, storedWidth, spec, scale, bias, normalised);
                }
                for (int c = 0; c < planes; c++)
                    storedX.Apply(normalised.AsSpan(c * storedWidth, storedWidth), reduced.AsSpan((c * storedHeight + y) * reducedWidth, reducedWidth));
            }
        });

        // The stored-y pass, written in displayed order; a grey image fills every channel.
        int outWidth = spec.Width, outHeight = spec.Height, plane = outWidth * outHeight;
        for (int c = 0; c < planes; c++)
        {
            var source = reduced.AsSpan(c * storedHeight * reducedWidth, storedHeight * reducedWidth);
            var target = destination.Slice(c * plane, plane);
            for (int o = 0; o < storedY.Count; o++)
            {
                for (int a = 0; a < reducedWidth; a++)
                {
                    float value = storedY.At(o, source, a, reducedWidth);
                    // Not swapped: stored x is displayed x (a), stored y displayed y (o); swapped the other way round.
                    if (swap) target[a * outWidth + o] = value;
                    else target[o * outWidth + a] = value;
                }
            }
        }
        for (int c = planes; c < spec.Channels; c++)
        {
            // A grey image for an RGB model: the one plane, renormalised per channel.
            var first = destination[..plane];
            var target = destination.Slice(c * plane, plane);
            float ratio = spec.Std[0] / spec.Std[c], shift = (spec.Mean[0] - spec.Mean[c]) / spec.Std[c];
            for (int i = 0; i < plane; i++) target[i] = first[i] * ratio + shift;
        }
    }

    /// <summary>One row's planes (values 0…range) → normalised planes, colour reduced to one by mean or first
    /// channel when the model has one channel and the image is colour; normalised before the mean, as
    /// torchxrayvision does (the same up to rounding).</summary>
    private static void Normalise<T>(ReadOnlySpan<T> planes, int planeCount, int width, PreprocessSpec spec,
        float[] scale, float[] bias, Span<float> normalised) where T : unmanaged
    {
        if (planeCount == 3 && spec.Channels == 1)
        {
            bool mean = spec.Grey == GreyConversion.Mean;
            for (int x = 0; x < width; x++)
            {
                float r = ToFloat(planes[x]) * scale[0] + bias[0];
                if (!mean) { normalised[x] = r; continue; }
                float g = ToFloat(planes[width + x]) * scale[0] + bias[0];
                float b = ToFloat(planes[2 * width + x]) * scale[0] + bias[0];
                normalised[x] = (r + g + b) / 3f;
            }
            return;
        }
        for (int c = 0; c < planeCount; c++)
        {
            for (int x = 0; x < width; x++)
                normalised[c * width + x] = ToFloat(planes[c * width + x]) * scale[c] + bias[c];
        }
    }

    private static float ToFloat<T>(T value) where T : unmanaged =>
        typeof(T) == typeof(int) ? Unsafe.As<T, int>(ref value) : Unsafe.As<T, float>(ref value);
}
