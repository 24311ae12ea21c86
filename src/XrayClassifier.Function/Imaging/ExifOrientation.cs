namespace XrayClassifier.Function.Imaging;

/// <summary>The EXIF/TIFF Orientation tag: how the stored pixels must be turned to be displayed upright.</summary>
internal enum ExifOrientation
{
    Upright = 1,
    MirrorHorizontal = 2,
    Rotate180 = 3,
    MirrorVertical = 4,
    /// <summary>Mirror about the main diagonal (PIL's TRANSPOSE).</summary>
    Transpose = 5,
    /// <summary>Stored turned left: rotate 90° clockwise to display.</summary>
    Rotate90 = 6,
    /// <summary>Mirror about the anti-diagonal (PIL's TRANSVERSE).</summary>
    Transverse = 7,
    /// <summary>Stored turned right: rotate 270° clockwise to display.</summary>
    Rotate270 = 8,
}
