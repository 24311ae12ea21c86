using System.Diagnostics;

namespace XrayClassifier.Fuzz;

/// <summary>Runs one input through a target and turns every broken promise into a <see cref="ContractViolation"/>.</summary>
public static class Contract
{
    /// <summary>Wall-clock allowance per input. Generous, since the machine is shared and the first call JIT-compiles
    /// the parser; a parser that loops on its input takes far longer (AFL's own -t catches true hangs).</summary>
    public static TimeSpan TimeBudget { get; set; } = TimeSpan.FromSeconds(2);

    private static readonly HashSet<string> s_warm = [];

    /// <summary>True when the parser accepted the input, false when it refused it as documented.</summary>
    public static bool Check(FuzzTarget target, byte[] input)
    {
        // Static initialisers (format tables, schema, regexes) allocate once per process: not the input's doing.
        if (s_warm.Add(target.Name))
        {
            try { target.Exercise(input); }
            catch (Exception) { }
        }
        long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        var clock = Stopwatch.StartNew();
        bool accepted = true;
        try
        {
            target.Exercise(input);
        }
        catch (ContractViolation)
        {
            throw;
        }
        catch (Exception e) when (target.IsRejection(e))
        {
            // A documented refusal.
            accepted = false;
        }
        catch (Exception e)
        {
            throw new ContractViolation(target.Name, $"{e.GetType().FullName} escaped the parser: {e.Message}", e);
        }
        clock.Stop();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        long budget = target.AllocationBudget(input.Length);
        if (allocated > budget)
            throw new ContractViolation(target.Name, $"allocated {allocated:N0} bytes for a {input.Length:N0}-byte input; the budget is {budget:N0}.");
        if (clock.Elapsed > TimeBudget)
            throw new ContractViolation(target.Name, $"took {clock.Elapsed.TotalMilliseconds:N0} ms for a {input.Length:N0}-byte input; the budget is {TimeBudget.TotalMilliseconds:N0} ms.");
        return accepted;
    }

    /// <summary>Throws a violation unless <paramref name="condition"/> holds.</summary>
    public static void Require(string target, bool condition, string what)
    {
        if (!condition) throw new ContractViolation(target, what);
    }
}
