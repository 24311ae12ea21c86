using XrayClassifier.Fuzz;

namespace XrayClassifier.Tests.Fuzz;

/// <summary>
/// CI's smoke run of every fuzz target (tools/XrayClassifier.Fuzz), in-process and deterministic: the contract
/// over the target's seeds, then over 20,000 AFL-style mutations of them (a few seconds in all). It keeps each
/// harness compiling, its seeds reaching past the first refusal, and its contract true on the inputs that
/// matter most; the coverage-guided search is tools/fuzz.sh's (README, Reliability).
/// </summary>
public class FuzzSmokeTests
{
    public static TheoryData<string> Targets => [.. FuzzTargets.All.Select(t => t.Name)];

    [Theory]
    [MemberData(nameof(Targets))]
    public void HoldsItsContractOverSeedsAndMutations(string name)
    {
        var target = FuzzTargets.Find(name)!;
        var result = Smoke.Run(target, TestEnvironment.RepoRoot, mutations: 20_000, seed: 17);
        Assert.True(result.Violations.Count == 0, result.ToString());
        // A harness whose seeds are all refused fuzzes only the first check: it has rotted.
        Assert.True(result.SeedsAccepted > 0, $"{name}: none of its {result.Seeds} seeds is accepted");
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public void HoldsItsContractOnEveryCheckedInFinding(string name)
    {
        var folder = FuzzFindings.Folder(name);
        if (!Directory.Exists(folder)) return;
        foreach (var file in Directory.GetFiles(folder).Order(StringComparer.Ordinal))
            Contract.Check(FuzzTargets.Find(name)!, File.ReadAllBytes(file));
    }
}
