using System.Text;
using System.Text.Json;
using XrayClassifier.Function.Observability;
using XrayClassifier.Tests.S3;

namespace XrayClassifier.Tests.EventSources;

/// <summary>A log sink that keeps every line and lets a test act when one is written (kill S3 after the first object,
/// move the clock past the deadline).</summary>
internal sealed class ObservedLogSink : ILogSink
{
    private readonly MemoryLogSink _lines = new();

    /// <summary>Called with each line after it is kept.</summary>
    public Action<string>? OnLine { get; set; }

    public void WriteLine(ReadOnlySpan<byte> utf8Json)
    {
        _lines.WriteLine(utf8Json);
        OnLine?.Invoke(Encoding.UTF8.GetString(utf8Json));
    }

    public IReadOnlyList<string> Lines => _lines.Lines;
    public string AllText => _lines.AllText;

    /// <summary>The per-object lines of an archive engine.</summary>
    public IReadOnlyList<JsonElement> ObjectLines(string route) =>
        [.. _lines.RequestLines().Where(l => l.GetProperty("Route").GetString() == route)];
}

/// <summary>A function over the small model pointed at an s3rver, its engine recorded (to count model runs), its log observed.</summary>
internal sealed class ArchiveHarness : IDisposable
{
    private readonly TestEfs _efs;
    private readonly EngineRecorder _recorder = new();

    public ArchiveHarness(S3Server server, TimeProvider? clock = null, params (string Name, string Value)[] extra) : this(server, TestEfs.WithSmallModel(), clock, extra) { }

    /// <param name="efs">The model's EFS (the small model unless a test needs heatmaps); disposed with the harness.</param>
    public ArchiveHarness(S3Server server, TestEfs efs, TimeProvider? clock = null, params (string Name, string Value)[] extra)
    {
        _efs = efs;
        var env = server.FunctionEnvironment().Where(kv => kv.Value is not null).Select(kv => (kv.Key, kv.Value!))
            .Append(("XRAY_STORE_UPLOADS", "off")).Concat(extra).ToArray();
        Environment = env;
        // As TestEfs.CreateFunction builds it, with the observed sink (CreateFunction takes a MemoryLogSink).
        Function = new Function.Function(new DictionaryEnvironmentVariables(_efs.Environment(env)), new Function.Hosting.FunctionServices
        {
            Log = Log,
            Clock = clock ?? TimeProvider.System,
            CreateEngine = _recorder.Create,
        });
        _recorder.StartRecording();
    }

    public (string Name, string Value)[] Environment { get; }
    public Function.Function Function { get; }
    public ObservedLogSink Log { get; } = new();
    public TestEfs Efs => _efs;

    /// <summary>How many images the model has run on since INIT.</summary>
    public int ModelRuns => _recorder.Tensors.Count;

    /// <summary>Through the managed runtime's entry; the answer parsed.</summary>
    public async Task<JsonElement> InvokeAsync(string @event)
    {
        await using var output = await Function.FunctionHandler(new MemoryStream(Encoding.UTF8.GetBytes(@event)));
        return (await JsonDocument.ParseAsync(output)).RootElement.Clone();
    }

    public void Dispose()
    {
        Function.Dispose();
        _efs.Dispose();
    }
}

/// <summary>Study files for the archive tests.</summary>
internal static class ArchiveStudies
{
    public const string PatientName = Orthanc.ChestRadiograph.PatientName;
    public const string PatientId = Orthanc.ChestRadiograph.PatientId;

    /// <summary>A 256×256 chest DX image, 12 of 16 bits, with a patient and a study: what a PACS exports
    /// (<see cref="Orthanc.ChestRadiograph"/>, small, so a batch of them classifies quickly).</summary>
    public static byte[] Dicom() => Orthanc.ChestRadiograph.Create(256, 256).File;
}
