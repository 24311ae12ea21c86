namespace XrayClassifier.Function.Imaging;

/// <summary>
/// The classified frame for a person to look at (<c>?preview=png|levels</c>): an 8-bit PNG at display size, the whole
/// image in its displayed orientation, so it lies under a heatmap PNG (<see cref="HeatmapImage"/>, the same extent and
/// aspect) exactly. Pixels only: nothing of the upload's metadata is in it, and it is never stored or logged.
/// </summary>
/// <param name="Png">Grey (or, for a colour 8-bit upload, sRGB) PNG, windowed as <paramref name="Window"/> says.</param>
/// <param name="Width">Its width: the image's, scaled so the long side is at most <see cref="DisplayPreviews.MaxSide"/>.</param>
/// <param name="Height">Its height.</param>
/// <param name="Window">How the image's values became its greys: <c>file</c> (a DICOM file's own VOI window or LUT, after
/// the Modality LUT), <c>percentile</c> (0.5th to 99.5th percentile of the values, linear: DICOM without a VOI, 16-bit
/// images) or <c>none</c> (an 8-bit image's greys as they are).</param>
/// <param name="Levels">The values behind the greys, for windowing in the browser; only for DICOM and 16-bit images,
/// and only when asked (<c>preview=levels</c>).</param>
public sealed record DisplayPreview(byte[] Png, int Width, int Height, string Window, DisplayLevels? Levels);

/// <summary>
/// The preview's values at 16 bits, for window/level in the browser: an 8-bit RGB PNG with level = R·256 + G (B 0), which
/// any browser decodes losslessly onto a canvas (a 16-bit PNG it would squeeze to 8 bits first). Level 0…65535 stands
/// linearly for <paramref name="Low"/>…<paramref name="High"/> (reversed when <paramref name="Inverted"/>, so that a
/// higher level is always whiter); <paramref name="Center"/> and <paramref name="Width"/> are the window the PNG was
/// made with, in the same units as Low and High.
/// </summary>
/// <param name="Png">The RGB PNG, the preview's size.</param>
/// <param name="Low">The value level 0 stands for (65535 when inverted).</param>
/// <param name="High">The value level 65535 stands for (0 when inverted).</param>
/// <param name="Inverted">MONOCHROME1: low values are white, so levels run from high to low.</param>
/// <param name="Center">The window's centre.</param>
/// <param name="Width">The window's width.</param>
/// <param name="Units"><c>modality</c> (DICOM: after the Modality LUT, e.g. RescaleSlope/Intercept) or <c>sample</c> (a 16-bit image's values).</param>
public sealed record DisplayLevels(byte[] Png, double Low, double High, bool Inverted, double Center, double Width, string Units);
