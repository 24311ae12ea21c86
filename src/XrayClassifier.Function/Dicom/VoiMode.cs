namespace XrayClassifier.Function.Dicom;

/// <summary>How stored values become [0, 1] greyscale, as the manifest's <c>dicom.voi</c> chooses.</summary>
public enum VoiMode
{
    /// <summary>(stored − smallest storable) / (2^BitsStored − 1); MONOCHROME1 inverted (torchxrayvision's way).</summary>
    None,
    /// <summary>Modality LUT, then the file's VOI LUT or window; MONOCHROME1 inverted after it.</summary>
    Window,
}
