namespace XrayClassifier.Function.Dicom;

/// <summary>Physical distance between pixel centres, in mm, as DICOM's PixelSpacing (0028,0030).</summary>
/// <param name="Row">Between adjacent rows (vertical).</param>
/// <param name="Column">Between adjacent columns (horizontal).</param>
public readonly record struct PixelSpacing(double Row, double Column);
