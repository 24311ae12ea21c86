using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Onnx;
using XrayClassifier.Function.Inference.Runtime;

namespace XrayClassifier.Quantization.Calibration;

/// <summary>
/// One ONNX Runtime session over an in-memory model, created the way the function creates its own (same
/// <see cref="SessionSettings"/>: 2 intra-op threads, every graph optimisation), run one image at a time.
/// </summary>
internal sealed class ModelRunner : IDisposable
{
    private readonly InferenceSession _session;
    private readonly string _inputName;
    private readonly long[] _inputShape;

    public ModelRunner(ModelProto model, GraphOptimizationLevel level = GraphOptimizationLevel.ORT_ENABLE_ALL)
    {
        _session = new SessionSettings(2, level).CreateSession(model.ToByteArray());
        _inputName = _session.InputNames.Single();
        var dims = _session.InputMetadata[_inputName].Dimensions;
        _inputShape = [1, .. dims.Skip(1).Select(d => (long)d)];
        OutputNames = [.. _session.OutputNames];
    }

    public IReadOnlyList<string> OutputNames { get; }

    /// <summary>Every output of the model for one input tensor, by name.</summary>
    public Dictionary<string, float[]> Run(float[] input, IReadOnlyList<string>? outputs = null)
    {
        outputs ??= OutputNames;
        using var value = OrtValue.CreateTensorValueFromMemory(input, _inputShape);
        using var runOptions = new RunOptions();
        using var results = _session.Run(runOptions, [_inputName], [value], outputs);
        var named = new Dictionary<string, float[]>(outputs.Count);
        for (int i = 0; i < outputs.Count; i++) named[outputs[i]] = results[i].GetTensorDataAsSpan<float>().ToArray();
        return named;
    }

    /// <summary>The first graph output (the model's answer) for one input tensor.</summary>
    public float[] RunFirst(float[] input) => Run(input, [OutputNames[0]])[OutputNames[0]];

    public void Dispose() => _session.Dispose();
}
