using System.Text.Json.Nodes;
using XrayClassifier.Function;
using XrayClassifier.Function.Configuration;
using XrayClassifier.Function.Hosting;
using XrayClassifier.ModelGen;
using XrayClassifier.Tests.TestHelpers;

namespace XrayClassifier.Tests.TestHelpers;

/// <summary>
/// The one stand-in for the EFS mount: a temporary root laid out as on the real access point — runtime/{rid}
/// (a link to the real native libraries from efs-layout; a process loads libvips and ONNX Runtime once, and
/// dlopen hands back that same library through the link), models/ (the default model, a small test model,
/// or any model a test adds), cache/, workspace/ — so what a test's function writes stays in its folder.
/// </summary>
public sealed class TestEfs : IDisposable
{
    public const string ModelName = "chest-xray";
    private readonly TempDirectory _temp;

    /// <summary>An empty EFS root — no runtime/, models/, cache/ or workspace/ until a test makes them (see
    /// <see cref="AddModel"/>): <see cref="Layout"/> points at the real natives, and a test may build a runtime/
    /// of its own (bad copies, late copies) with no risk of writing through a link into efs-layout's libraries.</summary>
    public TestEfs() : this(deployed: false) { }

    /// <summary>With <paramref name="deployed"/>, laid out as the function finds a filled access point.</summary>
    private TestEfs(bool deployed)
    {
        _temp = TestEnvironment.CreateTempDirectory("xray-efs");
        Root = _temp.Path;
        if (!deployed) return;
        Directory.CreateDirectory(Path.Combine(Root, "runtime"));
        Directory.CreateSymbolicLink(Path.Combine(Root, "runtime", EfsLayout.RuntimeIdentifier), TestEnvironment.NativeDirectory);
        Directory.CreateDirectory(ModelDirectory);
        Directory.CreateDirectory(Path.Combine(Root, "cache"));
        Directory.CreateDirectory(WorkspaceDirectory);
    }

    public string Root { get; }

    /// <summary>Links runtime/<paramref name="rid"/> to efs-layout's natives for that architecture too, side by side
    /// with this process's, as the access point holds them for functions of both architectures.</summary>
    public void AddNatives(string rid) =>
        Directory.CreateSymbolicLink(Path.Combine(Root, "runtime", rid), TestEnvironment.NativeDirectoryFor(rid));
    public string CacheDirectory => Path.Combine(Root, "cache");
    public string ModelDirectory => Path.Combine(Root, "models", ModelName);
    public string ModelPath => Path.Combine(ModelDirectory, "model.onnx");
    public string WorkspaceDirectory => Path.Combine(Root, "workspace");

    /// <summary>The 14 ChestX-ray14 labels on a small pooled-linear model (loads in milliseconds).</summary>
    public static TestEfs WithSmallModel()
    {
        var efs = new TestEfs(deployed: true);
        File.WriteAllBytes(efs.ModelPath, SmallModel);
        File.WriteAllText(Path.Combine(efs.ModelDirectory, "manifest.json"), SmallManifest.ToJsonString());
        return efs;
    }

    /// <summary>Any model and manifest (the manifest's "model" must be "model.onnx").</summary>
    public static TestEfs WithModel(byte[] model, JsonObject manifest)
    {
        var efs = new TestEfs(deployed: true);
        File.WriteAllBytes(efs.ModelPath, model);
        File.WriteAllText(Path.Combine(efs.ModelDirectory, "manifest.json"), manifest.ToJsonString());
        return efs;
    }

    /// <summary>The generated CheXNet model from efs-layout (fill.sh makes it), linked, with its manifest.</summary>
    public static TestEfs WithDefaultModel()
    {
        var efs = new TestEfs(deployed: true);
        var source = TestEnvironment.DefaultModelDirectory;
        File.CreateSymbolicLink(efs.ModelPath, Path.Combine(source, "model.onnx"));
        File.Copy(Path.Combine(source, "manifest.json"), Path.Combine(efs.ModelDirectory, "manifest.json"));
        return efs;
    }

    public static readonly IReadOnlyList<string> Labels = OnnxModels.ChestXray14Labels;

    /// <summary>GlobalAveragePool → Gemm → Sigmoid with fixed weights: different images give different answers.</summary>
    public static byte[] SmallModel { get; } = CreateSmallModel();

    private static byte[] CreateSmallModel()
    {
        var random = new Random(14);
        var weights = new float[14 * 3];
        for (int i = 0; i < weights.Length; i++) weights[i] = (float)(random.NextDouble() * 4 - 2);
        var bias = new float[14];
        for (int i = 0; i < bias.Length; i++) bias[i] = (float)(random.NextDouble() - 0.5);
        return OnnxModels.PooledLinear(3, 224, 224, weights, bias, Head.Sigmoid);
    }

    public static JsonObject SmallManifest => new()
    {
        ["name"] = "pooled-linear-test",
        ["version"] = "3",
        ["model"] = "model.onnx",
        ["input"] = new JsonObject
        {
            ["name"] = "input", ["channels"] = 3, ["height"] = 224, ["width"] = 224,
            ["resize"] = "stretch", ["interpolation"] = "bilinear",
            ["mean"] = new JsonArray(0.485, 0.456, 0.406), ["std"] = new JsonArray(0.229, 0.224, 0.225),
        },
        ["output"] = new JsonObject
        {
            ["name"] = "output", ["activation"] = "none",
            ["labels"] = new JsonArray([.. Labels.Select(l => (JsonNode)l)]),
            ["threshold"] = 0.5,
        },
    };

    public Dictionary<string, string?> Environment(params (string Name, string Value)[] extra)
    {
        var env = new Dictionary<string, string?>
        {
            ["XRAY_EFS_ROOT"] = Root,
            ["XRAY_MODEL"] = ModelName,
            ["XRAY_ORT_THREADS"] = "1",
        };
        foreach (var (n, v) in extra) env[n] = v;
        return env;
    }

    public Function.Function CreateFunction(MemoryLogSink? log = null, TimeProvider? clock = null, RetryPolicy? retry = null,
        params (string Name, string Value)[] extra) => CreateFunction(null, log, clock, retry, extra);

    /// <summary>A function whose engine <paramref name="recorder"/> wraps (to read tensors or inject a failure).</summary>
    internal Function.Function CreateFunction(EngineRecorder? recorder, MemoryLogSink? log = null, TimeProvider? clock = null, RetryPolicy? retry = null,
        params (string Name, string Value)[] extra)
    {
        var function = new Function.Function(new DictionaryEnvironmentVariables(Environment(extra)), new FunctionServices
        {
            Log = log ?? new MemoryLogSink(),
            Clock = clock ?? TimeProvider.System,
            Retry = retry ?? RetryPolicy.Default,
            CreateEngine = recorder is null ? FunctionServices.Default.CreateEngine : recorder.Create,
        });
        // INIT (and its warm-up, which runs the model too) ended in the constructor: what follows is requests.
        recorder?.StartRecording();
        return function;
    }

    /// <summary>The layout of model <paramref name="model"/> under this root, natives from efs-layout's runtime folder.</summary>
    public EfsLayout Layout(string model = "m") => new(Root, model, TestEnvironment.NativeDirectory);

    /// <summary>Writes models/{model}/manifest.json and the model file it names.</summary>
    public EfsLayout AddModel(byte[] onnx, JsonObject manifest, string model = "m")
    {
        var layout = Layout(model);
        Directory.CreateDirectory(layout.ModelDirectory);
        File.WriteAllBytes(Path.Combine(layout.ModelDirectory, (string?)manifest["model"] ?? "model.onnx"), onnx);
        File.WriteAllText(layout.ManifestPath, manifest.ToJsonString());
        return layout;
    }

    /// <summary>The optimised-model cache's files, without ORT's prestart stamps (OnnxRuntimePrestart).</summary>
    public string[] CacheEntries() =>
        Directory.Exists(CacheDirectory)
            ? Directory.GetFiles(CacheDirectory).Select(f => Path.GetFileName(f))
                .Where(f => !f.StartsWith(XrayClassifier.Function.Inference.Runtime.OnnxRuntimePrestart.StampPrefix, StringComparison.Ordinal)).Order().ToArray()
            : [];

    /// <summary>The variables a handler needs to run on this root (the rest at their defaults), for the local tool.</summary>
    public DictionaryEnvironmentVariables HandlerEnvironment => new(new Dictionary<string, string?>
    {
        ["XRAY_EFS_ROOT"] = Root,
        ["XRAY_NATIVE_DIR"] = Directory.Exists(Path.Combine(Root, "runtime")) ? null : TestEnvironment.NativeDirectory,
    });

    public void Dispose() => _temp.Dispose();
}
