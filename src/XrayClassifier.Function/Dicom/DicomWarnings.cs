namespace XrayClassifier.Function.Dicom;

/// <summary>
/// The warnings a DICOM upload gets: chest X-ray models are trained on frontal (PA/AP) projection radiographs,
/// so a lateral or oblique view, or an image from another modality, is classified — the user may know better —
/// but the answer says it is outside what the model saw. Only <see cref="DicomSummary"/> values are quoted,
/// and those are code strings checked against their VR.
/// </summary>
public static class DicomWarnings
{
    // PS3.3 C.8.11.5.1.1 ViewPosition defined terms, and the spellings modalities write in practice.
    private static readonly string[] Lateral = ["LL", "RL", "LAT", "LATERAL", "LEFT LATERAL", "RIGHT LATERAL", "XTABLE LATERAL", "LLD", "RLD"];
    private static readonly string[] Oblique = ["LLO", "RLO", "LAO", "RAO", "LPO", "RPO", "OBLIQUE"];

    public static IReadOnlyList<DicomWarning> For(DicomSummary s)
    {
        var warnings = new List<DicomWarning>();
        string? view = s.ViewPosition?.Trim().ToUpperInvariant();
        if (view is not null && Lateral.Contains(view))
            warnings.Add(new("lateral-view", $"ViewPosition is {view}, a lateral view; chest X-ray models are trained on frontal (PA/AP) views, so the findings may be wrong."));
        else if (view is not null && Oblique.Contains(view))
            warnings.Add(new("oblique-view", $"ViewPosition is {view}, an oblique view; chest X-ray models are trained on frontal (PA/AP) views, so the findings may be wrong."));
        if (s.Modality is not ("CR" or "DX"))
            warnings.Add(new("not-a-radiograph", s.Modality is null
                ? "The file has no Modality; chest X-ray models are trained on radiographs (CR or DX), so the findings may be wrong."
                : $"Modality is {s.Modality}, not CR or DX; chest X-ray models are trained on radiographs, so the findings may be wrong."));
        if (s.NumberOfFrames > 1)
            warnings.Add(new("multi-frame", $"The file holds {s.NumberOfFrames} frames; only frame {s.FrameUsed + 1} was classified."));
        if (s.VoiApplied == VoiApplied.FellBackToNone)
            warnings.Add(new("voi-fallback", "The model asks for the file's VOI window (dicom.voi \"window\"), but the file has none (or only an invalid one): its stored values were mapped as with \"none\"."));
        return warnings;
    }
}
