using XrayClassifier.Function.Configuration;

namespace XrayClassifier.Function.Archive;

/// <summary>The representations an archive result is written in besides the JSON answer (which is always written, last).</summary>
[Flags]
internal enum ResultRepresentations
{
    Json = 0,
    /// <summary><c>{key}.fhir.json</c>: the FHIR R4 Bundle the API answers <c>application/fhir+json</c> with.</summary>
    Fhir = 1,
    /// <summary><c>{key}.sr.dcm</c>: the DICOM SR the API answers <c>application/dicom</c> with; DICOM sources only.</summary>
    StructuredReport = 2,
}

/// <summary>
/// What a job asks of each object, from its arguments (S3 Batch 2.0's <c>job.userArguments</c>, Distributed Map's
/// <c>BatchInput.Options</c> or an item's <c>Options</c>), else the function's settings: <c>heatmap</c> (as the API's query
/// parameter: labels, <c>top</c>, <c>all</c>) and <c>representations</c> (a comma list of json, fhir, sr). Any other
/// argument is refused rather than ignored: a misspelt option would otherwise run a whole archive without it.
/// </summary>
internal sealed record ArchiveOptions(string? Heatmap, ResultRepresentations Representations)
{
    public const string HeatmapArgument = "heatmap";
    public const string RepresentationsArgument = "representations";

    /// <summary>The options <paramref name="arguments"/> give over <paramref name="options"/>' defaults; null with
    /// <paramref name="problem"/> set when an argument is unknown or has a bad value.</summary>
    public static ArchiveOptions? From(IReadOnlyDictionary<string, string>? arguments, XrayOptions options, out string? problem)
    {
        problem = null;
        string? heatmap = null;
        var representations = ParseRepresentations(options.ResultRepresentations) ?? ResultRepresentations.Json;
        foreach (var (name, value) in arguments ?? new Dictionary<string, string>())
        {
            switch (name)
            {
                case HeatmapArgument:
                    heatmap = string.IsNullOrWhiteSpace(value) ? null : value;
                    break;
                case RepresentationsArgument:
                    if (ParseRepresentations(value) is not { } asked)
                    {
                        problem = $"The job argument {RepresentationsArgument} is not a comma list of json, fhir, sr.";
                        return null;
                    }
                    representations = asked;
                    break;
                default:
                    problem = $"The job argument \"{Shorten(name)}\" is not one this function reads: it reads {HeatmapArgument} and {RepresentationsArgument}.";
                    return null;
            }
        }
        return new ArchiveOptions(heatmap, representations);
    }

    /// <summary>A comma list of json, fhir, sr (case-insensitive); null when it names anything else.</summary>
    public static ResultRepresentations? ParseRepresentations(string list)
    {
        var result = ResultRepresentations.Json;
        foreach (var part in list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            switch (part.ToLowerInvariant())
            {
                case "json": break;
                case "fhir": result |= ResultRepresentations.Fhir; break;
                case "sr": result |= ResultRepresentations.StructuredReport; break;
                default: return null;
            }
        }
        return result;
    }

    private static string Shorten(string s) => s.Length <= 64 ? s : s[..64] + "…";
}
