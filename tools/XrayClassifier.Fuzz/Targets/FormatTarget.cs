using XrayClassifier.Function.Imaging;

namespace XrayClassifier.Fuzz.Targets;

/// <summary>Imaging/ImageFormatDetector over Imaging/ImageFormat: magic numbers only, never a throw.</summary>
internal static class FormatTarget
{
    private const string Name = "format";

    public static FuzzTarget Create() => new()
    {
        Name = Name,
        Promise = "never throws and never allocates per input; an accepted format's signature matches, and exactly one accepted format does.",
        Exercise = Exercise,
        IsRejection = _ => false,
        AllocationBudget = _ => 4 * 1024,
        Seeds = _ => Seeds.FormatMagics(),
    };

    private static void Exercise(byte[] input)
    {
        var detected = ImageFormatDetector.Detect(input);
        int matching = 0;
        foreach (var format in ImageFormat.All) if (format.Matches(input)) matching++;
        if (detected.Accepted is { } accepted)
        {
            Contract.Require(Name, accepted.Matches(input), $"{accepted} was detected but its signature does not match");
            Contract.Require(Name, matching == 1, $"{matching} accepted formats match one input");
        }
        else Contract.Require(Name, matching == 0, "an input matching an accepted format was not accepted");
    }
}
