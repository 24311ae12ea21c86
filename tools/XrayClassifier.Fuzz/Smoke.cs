using System.Diagnostics;

namespace XrayClassifier.Fuzz;

/// <summary>The CI smoke run of one target: its contract over every seed, then over deterministic mutations of them.</summary>
public static class Smoke
{
    public sealed record Result(string Target, int Seeds, int SeedsAccepted, int Executions, TimeSpan Elapsed, IReadOnlyList<string> Violations)
    {
        public override string ToString() =>
            $"{Target}: {Seeds} seeds ({SeedsAccepted} accepted) + {Executions - Seeds} mutations in {Elapsed.TotalSeconds:0.0} s, {Violations.Count} violations"
            + string.Concat(Violations.Take(5).Select(v => "\n  " + v));
    }

    public static Result Run(FuzzTarget target, string root, int mutations, int seed)
    {
        var clock = Stopwatch.StartNew();
        var seeds = target.Seeds(root).Select(s => s.Bytes).ToList();
        var violations = new List<string>();
        int executions = 0, accepted = 0;
        void Try(byte[] input, string label)
        {
            executions++;
            try { if (Contract.Check(target, input) && label.StartsWith("seed", StringComparison.Ordinal)) accepted++; }
            catch (ContractViolation e) { violations.Add($"{label} ({input.Length} bytes, base64 {Convert.ToBase64String(input.AsSpan(0, Math.Min(input.Length, 96)))}…): {e.Message}"); }
        }
        for (int i = 0; i < seeds.Count; i++) Try(seeds[i], $"seed {i}");
        var mutator = new Mutator(seed);
        for (int i = 0; i < mutations && seeds.Count > 0; i++)
            Try(mutator.Mutate(seeds[i % seeds.Count], seeds), $"mutation {i} (seed {seed})");
        return new Result(target.Name, seeds.Count, accepted, executions, clock.Elapsed, violations);
    }
}
