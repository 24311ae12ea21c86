using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using XrayClassifier.Function.Configuration;
using XrayClassifier.Function.Imaging;
using XrayClassifier.Function.Inference.Heatmaps;
using XrayClassifier.Function.Inference.Manifest;
using XrayClassifier.Function.Inference.Runtime;

namespace XrayClassifier.Function.Inference;

/// <summary>
/// The model loaded into an ONNX Runtime session, created once per container and reused. Holds one
/// input buffer (native memory, <see cref="InputBuffer"/>) that the image pipeline writes into directly.
/// Not thread-safe: callers serialise <see cref="InputBuffer"/> writes and <see cref="Run"/>.
/// </summary>
/// <remarks>
/// A run allocates nothing but its result: the input and (for a static output shape) the output are
/// native buffers wrapped once in <see cref="OrtValue"/>s and bound once to an <see cref="OrtIoBinding"/>.
/// Measured on the default model against <c>InferenceSession.Run</c> with prepared name and value arrays:
/// the same run time, but that overload builds its native name and handle arrays on every call (~220 B).
/// </remarks>
public sealed class Classifier : IDisposable
{
    private readonly OnnxRuntimeLibrary _runtime;
    private readonly ModelSession _session;
    private readonly RunOptions _runOptions;
    private readonly NativeTensor _input;
    private readonly NativeTensor? _output;
    private readonly NativeTensor? _features;
    private readonly ClassifierHead? _head;
    private readonly OrtIoBinding _binding;
    private readonly float[]? _dynamicOutput;
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;
    private readonly long[] _batchShape;
    private float[] _batchOutput = [];
    private bool _disposed;

    internal Classifier(OnnxRuntimeLibrary runtime, ModelSession session, ModelManifest manifest, ModelSignature signature, ClassifierLoadReport report,
        HeatmapSupport heatmaps, long[]? featureShape)
    {
        _runtime = runtime;
        _session = session;
        Manifest = manifest;
        LoadReport = report;
        HeatmapsMissing = heatmaps.Missing;
        _head = heatmaps.Head;
        RunsBatches = signature.DynamicBatch;
        _inputNames = [signature.InputName];
        _outputNames = [signature.OutputName];
        _batchShape = [.. signature.InputShape];

        _runOptions = new RunOptions();
        try
        {
            _input = NativeTensor.Create(signature.InputShape);
            if (signature.OutputShape is { } outputShape) _output = NativeTensor.Create(outputShape);
            else _dynamicOutput = new float[manifest.Labels.Count];
            _binding = session.Session.CreateIoBinding();
            _binding.BindInput(signature.InputName, _input.Value);
            // A dynamic output is allocated by ORT on each run, on the CPU, and read back from the binding.
            if (_output is not null) _binding.BindOutput(signature.OutputName, _output.Value);
            else _binding.BindOutputToDevice(signature.OutputName, OrtMemoryInfo.DefaultInstance);
            // The feature map is written on every run (a copy of ~200 KB for DenseNet-121); heatmaps are computed from it only when asked.
            if (_head is not null && featureShape is not null)
            {
                _features = NativeTensor.Create(featureShape);
                FeatureHeight = (int)featureShape[2];
                FeatureWidth = (int)featureShape[3];
                _binding.BindOutput(_head.Features, _features.Value);
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>Why this model gives no heatmaps (what is missing), or null when it does.</summary>
    public string? HeatmapsMissing { get; }

    /// <summary>The feature map's height and width: the heatmap grid's size (0 without heatmaps).</summary>
    public int FeatureHeight { get; }

    public int FeatureWidth { get; }

    /// <summary>
    /// The class activation map of output value <paramref name="labelIndex"/> (an index into the manifest's labels)
    /// from the last <see cref="Run"/>: <c>cam[y·W + x] = Σ_k w[c,k]·F[k,y,x] + b[c]</c>, whose mean is the logit.
    /// Accumulated in double, so the grid's mean equals ORT's logit to float rounding.
    /// </summary>
    public float[] ActivationMap(int labelIndex)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_head is null || _features is null) throw new InvalidOperationException("this model gives no heatmaps: " + HeatmapsMissing);
        int k = _head.Channels, cells = FeatureHeight * FeatureWidth;
        var f = _features.Span;
        var weights = _head.Weights.AsSpan(labelIndex * k, k);
        var sum = new double[cells];
        for (int channel = 0; channel < k; channel++)
        {
            double w = weights[channel];
            if (w == 0) continue;
            var plane = f.Slice(channel * cells, cells);
            for (int i = 0; i < cells; i++) sum[i] += w * plane[i];
        }
        var grid = new float[cells];
        double bias = _head.Bias[labelIndex];
        for (int i = 0; i < cells; i++) grid[i] = (float)(sum[i] + bias);
        return grid;
    }

    /// <summary>The checked manifest.json of the loaded model.</summary>
    public ModelManifest Manifest { get; }

    /// <summary>The preprocessing the model needs (from the manifest, checked against the model).</summary>
    public PreprocessSpec Input => Manifest.Input;

    /// <summary>The reused input tensor (batch 1, NCHW, <see cref="PreprocessSpec.ElementCount"/> floats).</summary>
    public Span<float> InputBuffer
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _input.Span;
        }
    }

    /// <summary>The native ONNX Runtime library's own version string, e.g. "1.32.0".</summary>
    public string RuntimeVersion => _runtime.NativeVersion;

    /// <summary>The Microsoft.ML.OnnxRuntime.Managed package version the function runs ORT through, e.g. "1.32.0".</summary>
    public string ManagedRuntimeVersion => OnnxRuntimeLibrary.ManagedVersion;

    /// <summary>What loading took (for cold-start reports and logs).</summary>
    public ClassifierLoadReport LoadReport { get; }

    /// <summary>Runs the model on <see cref="InputBuffer"/> and returns its raw output for the image, one value per
    /// manifest label, valid until the next run (Classification/ScoreReader reads it into the answer).
    /// Throws <see cref="OnnxRuntimeException"/> if ORT fails.</summary>
    public ReadOnlySpan<float> Run()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _session.Session.RunWithBinding(_runOptions, _binding);
        if (_output is not null) return _output.Span;
        using var produced = _binding.GetOutputValues();
        ReadDynamicOutput(produced[0]).CopyTo(_dynamicOutput);
        return _dynamicOutput;
    }

    /// <summary>Whether the model's batch axis is dynamic (seen in its input and output at load): then
    /// <see cref="RunBatch"/> runs several images at once. A model exported with batch 1 runs each alone.</summary>
    public bool RunsBatches { get; }

    /// <summary>Runs the model once on <paramref name="count"/> images stacked in <paramref name="images"/> (NCHW, each
    /// <see cref="PreprocessSpec.ElementCount"/> floats) and returns their raw outputs row after row, one value per manifest
    /// label each, valid until the next run. Only when <see cref="RunsBatches"/>. The single-image binding and its buffers
    /// are not touched (<see cref="Run"/> stays allocation-free); a batch allocates its input value and output, and
    /// produces no feature map (heatmaps come from single runs). Throws <see cref="OnnxRuntimeException"/> if ORT fails.</summary>
    public ReadOnlySpan<float> RunBatch(float[] images, int count)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!RunsBatches) throw new InvalidOperationException("the model's batch axis is fixed: it runs one image at a time");
        int elements = Input.ElementCount, labels = Manifest.Labels.Count;
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan((long)count * elements, images.Length, nameof(count));
        _batchShape[0] = count;
        using var input = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, images.AsMemory(0, count * elements), _batchShape);
        using var outputs = _session.Session.Run(_runOptions, _inputNames, [input], _outputNames);
        var produced = outputs[0].GetTensorDataAsSpan<float>();
        if (produced.Length != count * labels)
        {
            throw new PlatformUnavailableException("manifest",
                $"output.labels has {labels} labels but the model's output gave {produced.Length} values for {count} images; expected one label per value and image.");
        }
        if (_batchOutput.Length < produced.Length) _batchOutput = new float[produced.Length];
        produced.CopyTo(_batchOutput);
        return _batchOutput.AsSpan(0, produced.Length);
    }

    private ReadOnlySpan<float> ReadDynamicOutput(OrtValue value)
    {
        long count = value.GetTensorTypeAndShape().ElementCount;
        if (count != _dynamicOutput!.Length)
        {
            throw new PlatformUnavailableException("manifest",
                $"output.labels has {_dynamicOutput.Length} labels but the model's output gave {count} values for one image; expected one label per value.");
        }
        return value.GetTensorDataAsSpan<float>();
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _binding?.Dispose();
        _session.Dispose();
        _input?.Dispose();
        _output?.Dispose();
        _features?.Dispose();
        _runOptions.Dispose();
    }
}
