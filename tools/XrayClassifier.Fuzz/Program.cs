using XrayClassifier.Fuzz;

// tools/fuzz.sh drives this: `fuzz TARGET` under afl-fuzz, `seed TARGET DIR` for the starting corpus,
// `replay TARGET PATH...` for findings and regression inputs, `smoke [TARGET] [MUTATIONS]` in-process.
if (args.Length == 0 || args[0] is "-h" or "--help")
{
    Console.Error.WriteLine("usage: XrayClassifier.Fuzz list | seed TARGET DIR | fuzz TARGET | replay TARGET PATH... | smoke [TARGET] [MUTATIONS]");
    return 2;
}

FuzzTarget Target(string name) => FuzzTargets.Find(name)
    ?? throw new ArgumentException($"unknown target '{name}'; targets: {string.Join(", ", FuzzTargets.All.Select(t => t.Name))}");
string root = FuzzTargets.RepoRoot(Directory.GetCurrentDirectory());
// Instrumented code (tools/fuzz.sh's build) writes every branch into AFL's shared map; outside afl-fuzz there is
// none, so give `seed`, `replay` and `smoke` a private map instead of an access violation.
if (args[0] != "fuzz") CoverageMap.EnsureLocal();

switch (args[0])
{
    case "list":
        foreach (var t in FuzzTargets.All) Console.WriteLine($"{t.Name,-10} {t.Promise}");
        return 0;

    case "seed":
    {
        var target = Target(args[1]);
        Directory.CreateDirectory(args[2]);
        int n = 0;
        foreach (var (name, bytes) in target.Seeds(root))
        {
            File.WriteAllBytes(Path.Combine(args[2], name), bytes);
            n++;
        }
        Console.WriteLine($"{target.Name}: {n} seeds in {args[2]}");
        return 0;
    }

    case "fuzz":
    {
        var target = Target(args[1]);
        // A ContractViolation or any escaped exception ends the run abnormally: AFL files it as a crash.
        SharpFuzz.Fuzzer.OutOfProcess.Run(stream =>
        {
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            Contract.Check(target, copy.ToArray());
        });
        return 0;
    }

    case "replay":
    {
        var target = Target(args[1]);
        var files = args.Skip(2).SelectMany(p => Directory.Exists(p) ? Directory.GetFiles(p).Order(StringComparer.Ordinal) : (IEnumerable<string>)[p]);
        int failed = 0, total = 0;
        foreach (var file in files)
        {
            total++;
            try { Contract.Check(target, File.ReadAllBytes(file)); }
            catch (ContractViolation e)
            {
                failed++;
                Console.WriteLine($"{file}: {e.Message}");
                if (e.InnerException is { } inner) Console.WriteLine(inner.StackTrace);
            }
        }
        Console.WriteLine($"{target.Name}: {total} inputs, {failed} violations");
        return failed == 0 ? 0 : 1;
    }

    case "smoke":
    {
        var targets = args.Length > 1 && args[1] != "all" ? [Target(args[1])] : FuzzTargets.All;
        int mutations = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 5000;
        int failed = 0;
        foreach (var target in targets)
        {
            var result = Smoke.Run(target, root, mutations, seed: 1);
            Console.WriteLine(result);
            failed += result.Violations.Count;
        }
        return failed == 0 ? 0 : 1;
    }

    default:
        Console.Error.WriteLine($"unknown command '{args[0]}'");
        return 2;
}
