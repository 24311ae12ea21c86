using XrayClassifier.Function.Dicom;

namespace XrayClassifier.Tooling.Dicom;

/// <summary>A decoded frame as one whole image, for the tests and the fuzz harness to compare with pydicom and to
/// check bounds. The function never needs a frame whole: the pipeline reads it strip by strip through the same
/// tables (<c>DicomFrameStrips</c>), so these live here and not in the Lambda.</summary>
public static class DicomFrameImages
{
    /// <summary>Row-major greyscale in [0, 1] (1 white), as the issue's <c>voi</c> mapping defines it.</summary>
    public static float[] ToUnitInterval(this DicomFrame frame)
    {
        var output = new float[frame.Width * frame.Height];
        frame.MapToUnitInterval(0, output, frame.UnitIntervalTable());
        return output;
    }

    /// <summary>The frame as 8-bit grey for the 8-bit PNG path (see <see cref="DicomFrame.EightBitGreyTable"/>);
    /// throws for a frame that does not take it.</summary>
    public static byte[] ToEightBitGrey(this DicomFrame frame)
    {
        var table = frame.EightBitGreyTable();
        var output = new byte[frame.Width * frame.Height];
        frame.MapToEightBitGrey(0, output, table);
        return output;
    }
}
