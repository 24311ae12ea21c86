namespace XrayClassifier.Function.Dicom;

/// <summary>The only top-level attributes the parser keeps: image geometry, the greyscale transforms and a
/// few descriptive ones for the answer. Everything else in the data set is skipped unread, so it cannot reach any
/// object built from this one; the patient and study attributes the Structured Report copies go to
/// <see cref="DicomSourceIdentity"/> instead.</summary>
internal sealed class DicomAttributes
{
    public string? SopClassUid { get; set; }
    public string? Modality { get; set; }
    public string? BodyPartExamined { get; set; }
    public string? ViewPosition { get; set; }
    public string? PhotometricInterpretation { get; set; }
    public string? VoiLutFunction { get; set; }
    public int? SamplesPerPixel { get; set; }
    public int? Rows { get; set; }
    public int? Columns { get; set; }
    public int? BitsAllocated { get; set; }
    public int? BitsStored { get; set; }
    public int? HighBit { get; set; }
    public int? PixelRepresentation { get; set; }
    public int? NumberOfFrames { get; set; }
    public PixelSpacing? PixelSpacing { get; set; }
    public double? RescaleSlope { get; set; }
    public double? RescaleIntercept { get; set; }
    public double? WindowCenter { get; set; }
    public double? WindowWidth { get; set; }
    public LookupTable? ModalityLut { get; set; }
    public LookupTable? VoiLut { get; set; }
    public PixelDataElement? PixelData { get; set; }

    /// <summary>Float or Double Float Pixel Data (7FE0,0008/0009) was found instead of Pixel Data.</summary>
    public bool HasFloatPixelData { get; set; }
}
