using System.Text.Json.Nodes;
using XrayClassifier.Function;
using XrayClassifier.Function.Configuration;
using XrayClassifier.Function.Hosting;
using XrayClassifier.ModelGen;
using XrayClassifier.Tests.TestHelpers;

namespace XrayClassifier.Tests.Handler;

/// <summary>
/// A temporary EFS root laid out as on the real access point: runtime/{rid} (a link to the real native
/// libraries), models/chest-xray/ (a model and its manifest), cache/, workspace/.
/// </summary>
public sealed class TestEfs : IDisposable
{
    public const string ModelName = "chest-xray";
    private readonly TempDirectory _temp;

    private TestEfs()
    {
        _temp = TestEnvironment.CreateTempDirectory("xray-efs");
        Root = _temp.Path;
        Directory.CreateDirectory(Path.Combine(Root, "runtime"));
        Directory.CreateSymbolicLink(Path.Combine(Root, "runtime", EfsLayout.RuntimeIdentifier), TestEnvironment.NativeDirectory);
        Directory.CreateDirectory(ModelDirectory);
        Directory.CreateDirectory(Path.Combine(Root, "cache"));
        Directory.CreateDirectory(WorkspaceDirectory);
    }

    public string Root { get; }
    public string ModelDirectory => Path.Combine(Root, "models", ModelName);
    public string ModelPath => Path.Combine(ModelDirectory, "model.onnx");
    public string WorkspaceDirectory => Path.Combine(Root, "workspace");

    /// <summary>The 14 ChestX-ray14 labels on a small pooled-linear model (loads in milliseconds).</summary>
    public static TestEfs WithSmallModel()
    {
        var efs = new TestEfs();
        File.WriteAllBytes(efs.ModelPath, SmallModel);
        File.WriteAllText(Path.Combine(efs.ModelDirectory, "manifest.json"), SmallManifest.ToJsonString());
        return efs;
    }

    /// <summary>Any model and manifest (the manifest's "model" must be "model.onnx").</summary>
    public static TestEfs WithModel(byte[] model, JsonObject manifest)
    {
        var efs = new TestEfs();
        File.WriteAllBytes(efs.ModelPath, model);
        File.WriteAllText(Path.Combine(efs.ModelDirectory, "manifest.json"), manifest.ToJsonString());
        return efs;
    }

    /// <summary>The generated CheXNet model from efs-layout (fill.sh makes it), linked, with its manifest.</summary>
    public static TestEfs WithDefaultModel()
    {
        var efs = new TestEfs();
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
        params (string Name, string Value)[] extra) =>
        new(new DictionaryEnvironmentVariables(Environment(extra)), new FunctionServices
        {
            Log = log ?? new MemoryLogSink(),
            Clock = clock ?? TimeProvider.System,
            Retry = retry ?? RetryPolicy.Default,
            DecorateEngine = recorder is null ? null : recorder.Decorate,
        });

    public void Dispose() => _temp.Dispose();
}
