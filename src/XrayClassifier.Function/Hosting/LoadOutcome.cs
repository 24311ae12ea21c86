using XrayClassifier.Function.Configuration;

namespace XrayClassifier.Function.Hosting;

/// <summary>A loaded component, or why it is not there.</summary>
public readonly record struct LoadOutcome<T>(T? Value, PlatformUnavailableException? Failure) where T : class
{
    public bool IsLoaded => Value is not null;
}
