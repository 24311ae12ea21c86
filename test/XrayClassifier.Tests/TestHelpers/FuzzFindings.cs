using XrayClassifier.Fuzz;

namespace XrayClassifier.Tests.TestHelpers;

/// <summary>Inputs the fuzzer found (Fixtures/fuzz/TARGET/), and its contract check for them.</summary>
public static class FuzzFindings
{
    public static string Folder(string target) => Path.Combine(TestEnvironment.RepoRoot, "test", "XrayClassifier.Tests", "Fixtures", "fuzz", target);

    public static byte[] Input(string target, string name) => File.ReadAllBytes(Path.Combine(Folder(target), name));

    /// <summary>Runs the target's whole contract (typed rejection, time, allocation, output) on a finding.</summary>
    public static void HoldsContract(string target, string name)
    {
        var fuzzTarget = FuzzTargets.Find(target) ?? throw new ArgumentException(target);
        Contract.Check(fuzzTarget, Input(target, name));
    }
}
