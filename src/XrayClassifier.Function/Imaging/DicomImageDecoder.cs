using NetVips;
using XrayClassifier.Function.Dicom;
using XrayClassifier.Function.Imaging.Vips;
using VipsImage = NetVips.Image;

namespace XrayClassifier.Function.Imaging;

/// <summary>
/// DICOM beside libvips: <see cref="DicomDecoder"/> reads the first frame's stored values and the manifest's
/// <c>dicom.voi</c> mapping, and the resampler reads the frame through its own strip source
/// (<see cref="DicomFrameStrips"/>). With BitsStored ≤ 8 and no VOI it is an 8-bit grey image (a JPEG
/// Baseline frame goes through the JPEG loader itself, so it gives exactly the tensor that JPEG gives);
/// otherwise the mapped [0, 1] values are a float image, resampled in the floating point 16-bit images use:
/// no rounding to 16 bits, which with torchxrayvision's ±1024 scaling alone would cost up to 0.016 per element.
/// </summary>
/// <param name="jpegFrames">The JPEG loader, for JPEG Baseline frames.</param>
internal sealed class DicomImageDecoder(VipsLoaderDecoder jpegFrames) : IImageDecoder
{
    private const string JpegFrameName = "DICOM JPEG Baseline frame";

    public IReadOnlyList<string> VipsLoaders => jpegFrames.VipsLoaders;

    public OpenedImage Open(ReadOnlyMemory<byte> encoded, ImageFormat format, ImagePipeline pipeline, PreprocessSpec spec)
    {
        var limits = pipeline.Limits;
        // The byte limit was checked once where the upload came in (ImageLimits: XRAY_MAX_IMAGE_BYTES, or
        // XRAY_MAX_UPLOAD_BYTES for a study fetched from S3); here only the pixel and inflation bounds apply.
        var dicom = DicomDecoder.Decode(encoded, DicomLimits.For(encoded.Length, limits.MaxPixels), spec.DicomVoi);
        var summary = dicom.Summary;
        limits.CheckSides(summary.Columns, summary.Rows);
        Func<byte[]> derivative;
        DicomFrame frame;
        if (dicom.BaselineJpeg is { } jpeg)
        {
            var decoded = jpegFrames.Load(jpeg, JpegFrameName);
            bool handedOver = false;
            try
            {
                if (decoded.Bands != 1 || decoded.Width != summary.Columns || decoded.Height != summary.Rows || decoded.Format != Enums.BandFormat.Uchar)
                    throw DicomRejectedException.Malformed(
                        $"The DICOM JPEG Baseline frame is {decoded.Width}×{decoded.Height} with {decoded.Bands} component(s); the data set says {summary.Columns}×{summary.Rows} MONOCHROME, one 8-bit sample per pixel.");
                // The frame's own stored values, decoded once more from the JPEG when the workspace asks for them.
                derivative = () => DerivativePng(pipeline, () => jpegFrames.Load(jpeg, JpegFrameName));
                bool noVoi = summary.VoiApplied is VoiApplied.None or VoiApplied.FellBackToNone;
                if (noVoi && summary.PhotometricInterpretation == "MONOCHROME2" && summary.BitsStored == 8 && !dicom.Layout.Signed)
                {
                    handedOver = true;
                    var opened = VipsLoaderDecoder.Open(decoded, JpegFrameName, limits);
                    return opened with
                    {
                        Dicom = new DecodedDicom(summary, derivative, 0) { SourceIdentity = dicom.Identity },
                        Preview = withLevels => DisplayPreviews.ForDicom(BaselineFrame(dicom, jpegFrames.Load(jpeg, JpegFrameName)), dicom.DisplayMapping, withLevels),
                    };
                }
                handedOver = true;
                frame = BaselineFrame(dicom, decoded);
            }
            finally
            {
                if (!handedOver) decoded.Dispose();
            }
        }
        else
        {
            frame = dicom.Frame!;
            derivative = () => DerivativePng(pipeline, () => StoredValuesImage(frame));
        }

        limits.CheckPixels(frame.Width, frame.Height);
        limits.CheckSides(frame.Width, frame.Height);
        var strips = new DicomFrameStrips(frame);
        // Only the 8-bit frames' JPEG path keeps no stored values around: theirs are the JPEG's decode.
        return new OpenedImage(strips, 1, strips.BitsPerSample, false, ExifOrientation.Upright)
        {
            Dicom = new DecodedDicom(summary, derivative, -frame.Layout.Smallest) { SourceIdentity = dicom.Identity },
            Preview = withLevels => DisplayPreviews.ForDicom(frame, dicom.DisplayMapping, withLevels),
        };
    }

    /// <summary>The stored values libvips decoded from a JPEG Baseline frame, as the frame; disposes <paramref name="decoded"/>.</summary>
    private static DicomFrame BaselineFrame(DicomImage dicom, VipsImage decoded)
    {
        using (decoded)
        {
            byte[] samples;
            try { samples = decoded.WriteToMemory<byte>(); }
            catch (VipsException e)
            {
                throw new ImageRejectedException(ImageRejection.Corrupt, $"The {JpegFrameName} is truncated or corrupt and cannot be decoded. (libvips: {VipsErrors.Detail(e)})", e);
            }
            return dicom.FrameFromBaselineJpeg(samples, decoded.Width, decoded.Height);
        }
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

    /// <summary>A lossless PNG of the image <paramref name="make"/> builds, under the pipeline's libvips lock
    /// (libvips's error buffer is process-wide): it is asked for after the run, when the workspace stores it.</summary>
    private static byte[] DerivativePng(ImagePipeline pipeline, Func<VipsImage> make) => pipeline.UnderVipsLock(() =>
    {
        try
        {
            using var image = make();
            return image.PngsaveBuffer(compression: 6);
        }
        catch (VipsException e)
        {
            throw new ImageRejectedException(ImageRejection.Corrupt, $"The DICOM frame could not be stored as PNG. (libvips: {VipsErrors.Detail(e)})", e);
        }
    });
}
