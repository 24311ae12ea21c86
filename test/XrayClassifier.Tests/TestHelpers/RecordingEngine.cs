using XrayClassifier.Function.Imaging;
using XrayClassifier.Function.Hosting;
using XrayClassifier.Function.Inference;
using XrayClassifier.Function.Inference.Heatmaps;

namespace XrayClassifier.Tests.TestHelpers;

/// <summary>
/// Wraps the loaded engine (<c>FunctionServices.DecorateEngine</c>): records the input tensor of every image it
/// classified — recomputed by the engine's own <see cref="InferenceEngine.InputTensorFor"/>, which runs the same
/// pipeline — and can be told to fail as a bug would.
/// </summary>
internal sealed class RecordingEngine(InferenceEngine inner) : IImageClassifier
{
    /// <summary>Set to make the next classifications throw this (an unexpected failure, not a rejection).</summary>
    public Exception? FailWith { get; set; }

    public List<float[]> Tensors { get; } = [];

    public ModelManifest Manifest => inner.Manifest;

    public string? HeatmapsMissing => inner.HeatmapsMissing;

    public async Task<ClassifyResult> ClassifyAsync(ReadOnlyMemory<byte> encoded, ImageFormat format, HeatmapRequest? heatmaps = null)
    {
        if (FailWith is { } failure) throw failure;
        var result = await inner.ClassifyAsync(encoded, format, heatmaps).ConfigureAwait(false);
        var tensor = inner.InputTensorFor(encoded, format, out _);
        lock (Tensors) Tensors.Add(tensor);
        return result;
    }
}

/// <summary>Hands out the <see cref="RecordingEngine"/> that wraps the function's engine (one per function).</summary>
internal sealed class EngineRecorder
{
    private RecordingEngine? _engine;
    private Exception? _failWith;

    public IImageClassifier Decorate(InferenceEngine engine)
    {
        lock (this) return _engine ??= new RecordingEngine(engine) { FailWith = _failWith };
    }

    public IReadOnlyList<float[]> Tensors => _engine?.Tensors ?? [];

    public Exception? FailWith
    {
        get => _failWith;
        set
        {
            _failWith = value;
            if (_engine is not null) _engine.FailWith = value;
        }
    }
}
