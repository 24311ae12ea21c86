using System.Diagnostics;
using System.Globalization;
using XrayClassifier.ModelGen;

// Usage errors exit 2 (like most Unix tools), failures while writing exit 1.
const string Usage = """
    XrayClassifier.ModelGen — writes the project's generated models and sample images.

    Commands:
      chexnet --out PATH [--seed N]
          The default model: DenseNet-121 (CheXNet architecture), 14 sigmoid outputs, untrained
          deterministic weights (≈27 MB). Written to a temp file beside PATH, then renamed.
      sample-xray --out PATH [--width 1024] [--height 1024] [--bits 8|16] [--seed N]
          A synthetic chest-X-ray-like greyscale PNG.
      --help
          This text.
    """;

if (args.Length == 0 || args[0] is "--help" or "-h" or "help")
{
    Console.WriteLine(Usage);
    return args.Length == 0 ? 2 : 0;
}

try
{
    var command = args[0];
    var options = ParseOptions(args.AsSpan(1));
    switch (command)
    {
        case "chexnet":
        {
            var outPath = Required(options, "out");
            var seed = options.TryGetValue("seed", out var s) ? ParseUInt64("seed", s) : OnnxModels.DefaultCheXNetSeed;
            CheckOnly(options, "out", "seed");
            var sw = Stopwatch.StartNew();
            OnnxModels.WriteCheXNet(outPath, seed);
            Console.Error.WriteLine($"wrote {outPath} ({new FileInfo(outPath).Length:N0} bytes, seed {seed}) in {sw.Elapsed.TotalSeconds:F1} s");
            return 0;
        }
        case "sample-xray":
        {
            var outPath = Required(options, "out");
            var width = options.TryGetValue("width", out var w) ? ParseInt("width", w, 16, 16384) : 1024;
            var height = options.TryGetValue("height", out var h) ? ParseInt("height", h, 16, 16384) : 1024;
            var bits = options.TryGetValue("bits", out var b) ? ParseInt("bits", b, 8, 16) : 8;
            if (bits is not (8 or 16)) throw new UsageException($"--bits must be 8 or 16, got {bits}");
            var seed = options.TryGetValue("seed", out var s) ? ParseInt("seed", s, 0, int.MaxValue) : 1;
            CheckOnly(options, "out", "width", "height", "bits", "seed");
            var image = SampleImages.ChestXray(width, height, seed);
            var png = bits == 16 ? PngWriter.Grey16(width, height, image.Samples) : PngWriter.Grey8(width, height, image.To8Bit());
            var dir = Path.GetDirectoryName(Path.GetFullPath(outPath))!;
            Directory.CreateDirectory(dir);
            File.WriteAllBytes(outPath, png);
            Console.Error.WriteLine($"wrote {outPath} ({width}×{height}, {bits}-bit grey, {png.Length:N0} bytes)");
            return 0;
        }
        default:
            throw new UsageException($"unknown command '{command}'");
    }
}
catch (UsageException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    Console.Error.WriteLine("run with --help for usage");
    return 2;
}
catch (Exception e) when (e is IOException or UnauthorizedAccessException)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 1;
}

static Dictionary<string, string> ParseOptions(ReadOnlySpan<string> args)
{
    var options = new Dictionary<string, string>(StringComparer.Ordinal);
    for (var i = 0; i < args.Length; i++)
    {
        var a = args[i];
        if (!a.StartsWith("--", StringComparison.Ordinal) || a.Length == 2) throw new UsageException($"unexpected argument '{a}'");
        if (i + 1 >= args.Length) throw new UsageException($"{a} needs a value");
        if (!options.TryAdd(a[2..], args[++i])) throw new UsageException($"{a} given twice");
    }
    return options;
}

static string Required(Dictionary<string, string> options, string name) =>
    options.TryGetValue(name, out var v) && v.Length > 0 ? v : throw new UsageException($"--{name} is required");

static void CheckOnly(Dictionary<string, string> options, params string[] allowed)
{
    foreach (var k in options.Keys)
        if (!allowed.Contains(k)) throw new UsageException($"unknown option --{k}");
}

static int ParseInt(string name, string value, int min, int max) =>
    int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v >= min && v <= max
        ? v : throw new UsageException($"--{name} must be an integer from {min} to {max}, got '{value}'");

static ulong ParseUInt64(string name, string value) =>
    ulong.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var v)
        ? v : throw new UsageException($"--{name} must be a non-negative integer, got '{value}'");

internal sealed class UsageException(string message) : Exception(message);
