using System.CommandLine;
using System.CommandLine.Parsing;
using XrayClassifier.Fuzz;

// tools/fuzz.sh drives this: `fuzz TARGET` under afl-fuzz, `seed TARGET DIR` for the starting corpus,
// `replay TARGET PATH...` for findings and regression inputs, `smoke [TARGET] [MUTATIONS]` in-process.
const string Usage = "usage: XrayClassifier.Fuzz list | seed TARGET DIR | fuzz TARGET | replay TARGET PATH... | smoke [TARGET] [MUTATIONS]";
if (args.Length == 0 || args[0] is "-h" or "--help")
{
    Console.Error.WriteLine(Usage);
    return 2;
}

// Instrumented code (tools/fuzz.sh's build) writes every branch into AFL's shared map; outside afl-fuzz there is
// none, so give `seed`, `replay` and `smoke` a private map instead of an access violation.
if (args[0] != "fuzz") CoverageMap.EnsureLocal();
string root = FuzzTargets.RepoRoot(Directory.GetCurrentDirectory());

var list = new Command("list", "Every target and its contract.");
list.SetAction(_ =>
{
    foreach (var t in FuzzTargets.All) Console.WriteLine($"{t.Name,-10} {t.Promise}");
});

var seedTarget = TargetArgument();
var seedFolder = new Argument<string>("DIR") { Description = "Where to write the starting corpus." };
var seed = new Command("seed", "Writes the target's seeds into DIR.") { seedTarget, seedFolder };
seed.SetAction(parsed =>
{
    var target = parsed.GetValue(seedTarget)!;
    var folder = parsed.GetValue(seedFolder)!;
    Directory.CreateDirectory(folder);
    int n = 0;
    foreach (var (name, bytes) in target.Seeds(root))
    {
        File.WriteAllBytes(Path.Combine(folder, name), bytes);
        n++;
    }
    Console.WriteLine($"{target.Name}: {n} seeds in {folder}");
});

var fuzzTarget = TargetArgument();
var fuzz = new Command("fuzz", "Runs the target under afl-fuzz (SharpFuzz's out-of-process loop).") { fuzzTarget };
fuzz.SetAction(parsed =>
{
    var target = parsed.GetValue(fuzzTarget)!;
    // A ContractViolation or any escaped exception ends the run abnormally: AFL files it as a crash.
    SharpFuzz.Fuzzer.OutOfProcess.Run(stream =>
    {
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        Contract.Check(target, copy.ToArray());
    });
});

var replayTarget = TargetArgument();
var replayPaths = new Argument<string[]>("PATH") { Description = "Input files, or folders of them.", Arity = ArgumentArity.OneOrMore };
var replay = new Command("replay", "Checks the contract on each input; exit 1 on any violation.") { replayTarget, replayPaths };
replay.SetAction(parsed =>
{
    var target = parsed.GetValue(replayTarget)!;
    var files = parsed.GetValue(replayPaths)!.SelectMany(p => Directory.Exists(p) ? Directory.GetFiles(p).Order(StringComparer.Ordinal) : (IEnumerable<string>)[p]);
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
});

// `smoke`, `smoke all` and `smoke TARGET` all take an optional mutation count after the target.
var smokeTarget = new Argument<string>("TARGET") { Description = "One target, or all.", DefaultValueFactory = _ => "all" };
smokeTarget.Validators.Add(result =>
{
    if (result.GetValueOrDefault<string>() is { } name && name != "all" && FuzzTargets.Find(name) is null) result.AddError(UnknownTarget(name));
});
var smokeMutations = new Argument<int>("MUTATIONS") { Description = "Mutations per target.", DefaultValueFactory = _ => 5000 };
var smoke = new Command("smoke", "Mutates every seed in-process and checks the contract; exit 1 on any violation.") { smokeTarget, smokeMutations };
smoke.SetAction(parsed =>
{
    var name = parsed.GetValue(smokeTarget)!;
    var targets = name == "all" ? FuzzTargets.All : [FuzzTargets.Find(name)!];
    int failed = 0;
    foreach (var target in targets)
    {
        var result = Smoke.Run(target, root, parsed.GetValue(smokeMutations), seed: 1);
        Console.WriteLine(result);
        failed += result.Violations.Count;
    }
    return failed == 0 ? 0 : 1;
});

var parsed = new RootCommand("Coverage-guided fuzzing of the parsers the project wrote itself.") { list, seed, fuzz, replay, smoke }
    .Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
if (parsed.Errors.Count > 0)
{
    foreach (var message in parsed.Errors.Select(e => e.Message).Distinct()) Console.Error.WriteLine($"error: {message}");
    Console.Error.WriteLine(Usage);
    return 2;
}
// Escaped exceptions must stay unhandled under afl-fuzz: that is how AFL sees a crash.
return parsed.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null });

static Argument<FuzzTarget> TargetArgument() => new("TARGET")
{
    Description = "A target from `list`.",
    CustomParser = result => FuzzTargets.Find(result.Tokens[0].Value) is { } target ? target : Fail(result, UnknownTarget(result.Tokens[0].Value)),
};

static string UnknownTarget(string name) => $"unknown target '{name}'; targets: {string.Join(", ", FuzzTargets.All.Select(t => t.Name))}";

static FuzzTarget Fail(ArgumentResult result, string message)
{
    result.AddError(message);
    return null!;
}
