using XrayClassifier.Function.Configuration;

namespace XrayClassifier.Tests.Inference;

public sealed class ComputeThreadsTests
{
    private static XrayOptions Options(params (string Name, string Value)[] variables) =>
        XrayOptions.FromEnvironment(new DictionaryEnvironmentVariables(variables.ToDictionary(v => v.Name, v => (string?)v.Value)));

    [Theory]
    [InlineData("128", 1)]     // a fraction of a vCPU still needs one thread
    [InlineData("1769", 1)]    // exactly one vCPU
    [InlineData("1770", 2)]    // a little more than one vCPU: rounded up
    [InlineData("3008", 2)]
    [InlineData("3538", 2)]
    [InlineData("3539", 3)]
    [InlineData("10240", 6)]   // Lambda's maximum: 6 vCPUs
    public void FollowsLambdaCpuCreditRoundedUp(string memoryMb, int expected)
    {
        Assert.Equal(expected, Options(("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", memoryMb)).ComputeThreads(processorCount: 16));
    }

    [Fact]
    public void NeverExceedsTheProcessorCount()
    {
        Assert.Equal(2, Options(("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "10240")).ComputeThreads(processorCount: 2));
        Assert.Equal(4, Options(("XRAY_ORT_THREADS", "64")).ComputeThreads(processorCount: 4));
    }

    [Fact]
    public void ExplicitOrtThreadsWinOverMemory()
    {
        var options = Options(("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "10240"), ("XRAY_ORT_THREADS", "3"));
        Assert.Equal(3, options.ComputeThreads(processorCount: 8));
    }

    [Fact]
    public void UsesEveryProcessorOutsideLambda()
    {
        Assert.Equal(8, Options().ComputeThreads(processorCount: 8));
    }

    [Fact]
    public void IsAtLeastOneEvenWithNoProcessorsReported()
    {
        Assert.Equal(1, Options(("XRAY_ORT_THREADS", "4")).ComputeThreads(processorCount: 0));
        Assert.Equal(1, Options().ComputeThreads(processorCount: 0));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-2")]
    [InlineData("two")]
    public void RejectsABadThreadCountByNamingTheVariable(string value)
    {
        var options = Options(("XRAY_ORT_THREADS", value), ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "3538"));
        Assert.Contains(options.Problems, p => p.Contains("XRAY_ORT_THREADS", StringComparison.Ordinal) && p.Contains(value, StringComparison.Ordinal));
        Assert.Equal(2, options.ComputeThreads(processorCount: 8)); // falls back to the memory rule
    }
}
