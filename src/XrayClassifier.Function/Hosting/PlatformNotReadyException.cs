using XrayClassifier.Function.Configuration;

namespace XrayClassifier.Function.Hosting;

/// <summary>The platform cannot serve a request yet: every component problem found (configuration, EFS, model,
/// natives), in the order they were found. Answered 503 with a Retry-After.</summary>
public sealed class PlatformNotReadyException(IReadOnlyList<PlatformUnavailableException> problems)
    : Exception(problems.Count > 0 ? problems[0].Message : "The platform is not ready.")
{
    public IReadOnlyList<PlatformUnavailableException> Problems { get; } = problems;
}
