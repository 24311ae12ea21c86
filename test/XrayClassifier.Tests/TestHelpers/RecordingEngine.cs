using XrayClassifier.Function.Classification;
using XrayClassifier.Function.Imaging;
using XrayClassifier.Function.Inference;

namespace XrayClassifier.Tests.TestHelpers;

/// <summary>
/// The function's engine made by <c>FunctionServices.CreateEngine</c>: the production engine, which records the input
/// tensor of every image the model is given (the tensor the model ran on, on every path: decoded in place, aside, or
/// while the model was loading) once <see cref="Recording"/> is set — after INIT, whose warm-up also runs the model —
/// and can be told to fail as a bug would.
/// </summary>
internal sealed class RecordingEngine(Classifier classifier, ImagePipeline pipeline) : InferenceEngine(classifier, pipeline)
{
    /// <summary>Set to make the next classifications throw this (an unexpected failure, not a rejection).</summary>
    public Exception? FailWith { get; set; }

    public List<float[]> Tensors { get; } = [];

    public bool Recording { get; set; }

    protected override void Running(ReadOnlySpan<float> input)
    {
        if (!Recording) return;
        if (FailWith is { } failure) throw failure;
        var tensor = input.ToArray();
        lock (Tensors) Tensors.Add(tensor);
    }
}

/// <summary>Makes the <see cref="RecordingEngine"/> of a function (one per function).</summary>
internal sealed class EngineRecorder
{
    private RecordingEngine? _engine;
    private Exception? _failWith;
    private bool _recording;

    public InferenceEngine Create(Classifier classifier, ImagePipeline pipeline)
    {
        lock (this) return _engine ??= new RecordingEngine(classifier, pipeline) { FailWith = _failWith, Recording = _recording };
    }

    /// <summary>From now on (the function's INIT is over), records requests' tensors and fails as told.</summary>
    public void StartRecording()
    {
        lock (this)
        {
            _recording = true;
            if (_engine is not null) _engine.Recording = true;
        }
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
