using XrayClassifier.Fuzz.Targets;

namespace XrayClassifier.Fuzz;

/// <summary>Every target, by the name tools/fuzz.sh takes.</summary>
public static class FuzzTargets
{
    public static IReadOnlyList<FuzzTarget> All { get; } =
    [
        EventTarget.Create(),
        UploadTarget.Create(),
        MultipartTarget.Create(),
        MultipartRelatedTarget.Create(),
        FormatTarget.Create(),
        ManifestTarget.Create(),
        DicomTargets.Part10(),
        DicomTargets.Decode(),
        DicomTargets.Rle(),
        DicomTargets.JpegLossless(),
        StructuredReportTarget.Create(),
        EventSourceTargets.Detection(),
        EventSourceTargets.S3Batch(),
        EventSourceTargets.S3Notification(),
        EventSourceTargets.DistributedMapItem(),
        EventSourceTargets.DistributedMapBatch(),
        StowResponseTarget.Create(),
        TokenAuthorizerTargets.Token(),
        TokenAuthorizerTargets.KeySet(),
        TokenAuthorizerTargets.Event(),
        QuantizerTargets.Model(),
        QuantizerTargets.Labels(),
    ];

    public static FuzzTarget? Find(string name) => All.FirstOrDefault(t => t.Name == name);

    /// <summary>The repository root: the folder holding XrayClassifier.sln, above <paramref name="start"/>.</summary>
    public static string RepoRoot(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "XrayClassifier.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException($"No XrayClassifier.sln above {start}.");
    }
}
