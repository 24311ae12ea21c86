using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using XrayClassifier.ModelGen;

// Usage errors exit 2 (like most Unix tools), failures while writing exit 1. System.CommandLine parses.
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

var seedOption = new Option<ulong>("--seed")
{
    Description = "The weights' seed.",
    DefaultValueFactory = _ => OnnxModels.DefaultCheXNetSeed,
    CustomParser = result => ulong.TryParse(result.Tokens[0].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var v)
        ? v : Fail<ulong>(result, $"--seed must be a non-negative integer, got '{result.Tokens[0].Value}'"),
};
var chexnetOut = OutOption();
var chexnet = new Command("chexnet", "The default model: DenseNet-121 (CheXNet architecture), untrained deterministic weights.") { chexnetOut, seedOption };
chexnet.SetAction(parsed =>
{
    var outPath = parsed.GetValue(chexnetOut)!;
    var seed = parsed.GetValue(seedOption);
    var sw = Stopwatch.StartNew();
    OnnxModels.WriteCheXNet(outPath, seed);
    Console.Error.WriteLine($"wrote {outPath} ({new FileInfo(outPath).Length:N0} bytes, seed {seed}) in {sw.Elapsed.TotalSeconds:F1} s");
});

var sampleOut = OutOption();
var width = WholeNumber("--width", 1024, 16, 16384);
var height = WholeNumber("--height", 1024, 16, 16384);
var bitsOption = WholeNumber("--bits", 8, 8, 16);
bitsOption.Validators.Add(result =>
{
    if (result.GetValueOrDefault<int>() is not (8 or 16)) result.AddError($"--bits must be 8 or 16, got {result.GetValueOrDefault<int>()}");
});
var imageSeed = WholeNumber("--seed", 1, 0, int.MaxValue);
var sampleXray = new Command("sample-xray", "A synthetic chest-X-ray-like greyscale PNG.") { sampleOut, width, height, bitsOption, imageSeed };
sampleXray.SetAction(parsed =>
{
    var outPath = parsed.GetValue(sampleOut)!;
    int w = parsed.GetValue(width), h = parsed.GetValue(height), bits = parsed.GetValue(bitsOption);
    var image = SampleImages.ChestXray(w, h, parsed.GetValue(imageSeed));
    var png = bits == 16 ? PngWriter.Grey16(w, h, image.Samples) : PngWriter.Grey8(w, h, image.To8Bit());
    Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(outPath))!);
    File.WriteAllBytes(outPath, png);
    Console.Error.WriteLine($"wrote {outPath} ({w}×{h}, {bits}-bit grey, {png.Length:N0} bytes)");
});

var parsed = new RootCommand("Writes the project's generated models and sample images.") { chexnet, sampleXray }
    .Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
if (parsed.Errors.Count > 0)
{
    foreach (var message in parsed.Errors.Select(e => e.Message).Distinct()) Console.Error.WriteLine($"error: {message}");
    Console.Error.WriteLine("run with --help for usage");
    return 2;
}
try
{
    return parsed.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
}
catch (Exception e) when (e is IOException or UnauthorizedAccessException)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 1;
}

static Option<string> OutOption() => new("--out") { Description = "Where to write it.", HelpName = "PATH", Required = true };

static Option<int> WholeNumber(string name, int fallback, int min, int max) => new(name)
{
    DefaultValueFactory = _ => fallback,
    CustomParser = result => int.TryParse(result.Tokens[0].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v >= min && v <= max
        ? v : Fail<int>(result, $"{name} must be an integer from {min} to {max}, got '{result.Tokens[0].Value}'"),
};

static T Fail<T>(System.CommandLine.Parsing.ArgumentResult result, string message)
{
    result.AddError(message);
    return default!;
}
