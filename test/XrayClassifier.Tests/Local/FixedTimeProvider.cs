namespace XrayClassifier.Tests.Local;

/// <summary>A clock stopped at one instant, so time fields can be asserted exactly.</summary>
internal sealed class FixedTimeProvider(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}
