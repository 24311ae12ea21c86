using System.Diagnostics;
using System.Reflection;
using System.Runtime.Loader;
using System.Text;

// Usage: ColdHost FUNCTION_DIR EVENT.json [HANDLER]
// Prints one line "coldhost {json}" on stdout after the response: timings in ms from process start, and
// peak RSS. The function writes its own log lines to stdout too (as on Lambda), hence the marker.
// Run it as Lambda's dotnet10 bootstrap runs its runtime client, so that the function's runtime settings
// govern rather than this host's (ColdBench does):
//   dotnet exec --runtimeconfig FUNCTION_DIR/XrayClassifier.Function.runtimeconfig.json \
//     --depsfile FUNCTION_DIR/XrayClassifier.Function.deps.json XrayClassifier.ColdHost.dll FUNCTION_DIR EVENT.json
// with AWS_LAMBDA_INITIALIZATION_TYPE=on-demand, as Lambda sets it for a cold start.
var sinceStart = DateTime.Now - Process.GetCurrentProcess().StartTime;
double mainAt = sinceStart.TotalMilliseconds;
var clock = Stopwatch.StartNew();

if (args.Length < 2)
{
    Console.Error.WriteLine("usage: ColdHost FUNCTION_DIR EVENT.json [Assembly::Type::Method]");
    return 2;
}
string functionDir = Path.GetFullPath(args[0]);
string handler = args.Length > 2 ? args[2] : "XrayClassifier.Function::XrayClassifier.Function.Function::FunctionHandler";
var parts = handler.Split("::");

// Resolve the function's dependencies from its own folder, as Lambda's bootstrap does for /var/task.
var resolver = new AssemblyDependencyResolver(Path.Combine(functionDir, parts[0] + ".dll"));
AssemblyLoadContext.Default.Resolving += (ctx, name) =>
    resolver.ResolveAssemblyToPath(name) is string p ? ctx.LoadFromAssemblyPath(p) : null;

var assembly = AssemblyLoadContext.Default.LoadFromAssemblyPath(Path.Combine(functionDir, parts[0] + ".dll"));
var type = assembly.GetType(parts[1], throwOnError: true)!;
var method = type.GetMethod(parts[2], BindingFlags.Public | BindingFlags.Instance)
    ?? throw new MissingMethodException(parts[1], parts[2]);
double loadedAt = clock.Elapsed.TotalMilliseconds;

object instance = Activator.CreateInstance(type)!;   // INIT phase: the constructor
double initAt = clock.Elapsed.TotalMilliseconds;

var eventBytes = File.ReadAllBytes(args[1]);
object? result = method.Invoke(instance, [new MemoryStream(eventBytes, writable: false)]);
Stream response = result switch
{
    Task<Stream> t => await t,
    Stream s => s,
    _ => throw new InvalidOperationException($"{handler} returned {result?.GetType().Name ?? "null"}"),
};
using var reader = new StreamReader(response, Encoding.UTF8);
string body = reader.ReadToEnd();
double answeredAt = clock.Elapsed.TotalMilliseconds;

int status = 0;
var marker = "\"statusCode\":";
int at = body.IndexOf(marker, StringComparison.Ordinal);
if (at >= 0) int.TryParse(body.AsSpan(at + marker.Length).TrimStart().Slice(0, 3), out status);

// CPU time of the whole process (all threads) up to the answer: on Lambda, CPU credit rather than cores
// bounds a cold start (3008 MB ≈ 1.7 vCPU), so work moved onto another thread is not free there.
double cpuMs = Process.GetCurrentProcess().TotalProcessorTime.TotalMilliseconds;
// What the JIT cost all threads up to the answer, and how many methods it compiled (ReadyToRun leaves some to it).
double jitMs = System.Runtime.JitInfo.GetCompilationTime(currentThread: false).TotalMilliseconds;
long jitMethods = System.Runtime.JitInfo.GetCompiledMethodCount(currentThread: false);

long peakKiB = 0;
foreach (var line in File.ReadLines("/proc/self/status"))
    if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
        peakKiB = long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim());

Console.Out.WriteLine(
    $"coldhost {{\"statusCode\":{status},\"mainAt\":{mainAt:F1},\"loadAssembly\":{loadedAt:F1},\"constructor\":{initAt - loadedAt:F1}," +
    $"\"firstInvoke\":{answeredAt - initAt:F1},\"processToResponse\":{mainAt + answeredAt:F1},\"cpuMs\":{cpuMs:F1},\"jitMs\":{jitMs:F1},\"jitMethods\":{jitMethods},\"peakRssKiB\":{peakKiB}}}");
Console.Out.Flush();
return 0;
