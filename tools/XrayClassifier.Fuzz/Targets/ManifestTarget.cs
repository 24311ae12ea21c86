using System.Text;
using XrayClassifier.Function.Configuration;
using XrayClassifier.Function.Inference.Manifest;

namespace XrayClassifier.Fuzz.Targets;

/// <summary>Inference/Manifest: ManifestReader.Parse over ManifestJson and ManifestSchema, as the function loads it.</summary>
internal static class ManifestTarget
{
    private const string Name = "manifest";

    public static FuzzTarget Create() => new()
    {
        Name = Name,
        Promise = "PlatformUnavailableException (component \"manifest\") for any bad file; an accepted manifest has labels, 1 or 3 channels, sides within MaxSide and one mean and std per channel.",
        Exercise = Exercise,
        IsRejection = e => e is PlatformUnavailableException { Component: "manifest" },
        AllocationBudget = length => 512 * 1024 + 64L * length,
        Seeds = Seeds.Manifests,
    };

    private static void Exercise(byte[] input)
    {
        var manifest = ManifestReader.Parse(Encoding.UTF8.GetString(input), "fuzz/manifest.json");
        var spec = manifest.Input;
        Contract.Require(Name, manifest.Labels.Count > 0 && manifest.AnswerLabels.Count > 0, "a manifest without labels was accepted");
        Contract.Require(Name, spec.Channels is 1 or 3, $"{spec.Channels} channels were accepted");
        Contract.Require(Name, spec.Width is > 0 and <= ManifestReader.MaxSide && spec.Height is > 0 and <= ManifestReader.MaxSide,
            $"input {spec.Width}×{spec.Height} was accepted");
        Contract.Require(Name, spec.Mean.Count == spec.Channels && spec.Std.Count == spec.Channels, "mean/std do not have one value per channel");
        Contract.Require(Name, !string.IsNullOrEmpty(manifest.Name) && !string.IsNullOrEmpty(manifest.ModelFile), "name or model missing");
    }
}
