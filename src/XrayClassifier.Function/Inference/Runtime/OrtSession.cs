using XrayClassifier.Function.Inference.Native;

namespace XrayClassifier.Function.Inference.Runtime;

/// <summary>An ORT inference session with the metadata of its inputs and outputs, read once at creation.</summary>
internal sealed unsafe class OrtSession : IDisposable
{
    private readonly OnnxRuntime _runtime;
    private readonly OrtSessionHandle _handle;

    private OrtSession(OnnxRuntime runtime, OrtSessionHandle handle)
    {
        _runtime = runtime;
        _handle = handle;
        Inputs = ReadMetadata(isInput: true);
        Outputs = ReadMetadata(isInput: false);
    }

    public IReadOnlyList<TensorMetadata> Inputs { get; }
    public IReadOnlyList<TensorMetadata> Outputs { get; }

    /// <summary>Creates a session for the model file at <paramref name="modelPath"/>. Throws <see cref="OrtException"/>.</summary>
    public static OrtSession Create(OnnxRuntime runtime, string modelPath, SessionSettings settings)
    {
        var api = runtime.Api;
        nint rawOptions;
        runtime.Check(api.CreateSessionOptions(&rawOptions));
        using var options = new OrtSessionOptionsHandle(rawOptions, api);

        runtime.Check(api.SetIntraOpNumThreads(rawOptions, settings.IntraOpThreads));
        // One image at a time through a sequential graph: an inter-op pool would only add idle threads.
        runtime.Check(api.SetInterOpNumThreads(rawOptions, 1));
        // Idle spinning burns CPU Lambda has throttled or frozen; misspelt keys are silently ignored by ORT.
        AddConfig(runtime, rawOptions, "session.intra_op.allow_spinning", "0");
        AddConfig(runtime, rawOptions, "session.inter_op.allow_spinning", "0");
        runtime.Check(api.SetSessionGraphOptimizationLevel(rawOptions, settings.OptimizationLevel));
        if (settings.SaveOptimizedModelTo is { } savePath)
        {
            fixed (byte* p = OnnxRuntime.Utf8Z(savePath))
                runtime.Check(api.SetOptimizedModelFilePath(rawOptions, p));
        }

        nint session;
        fixed (byte* path = OnnxRuntime.Utf8Z(modelPath))
            runtime.Check(api.CreateSession(runtime.Env, path, rawOptions, &session));
        var handle = new OrtSessionHandle(session, api);
        try
        {
            return new OrtSession(runtime, handle);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>C <c>Run</c> on pointers the caller prepared once. Outputs left NULL are allocated by ORT.</summary>
    public void Run(byte** inputNames, nint* inputs, nuint inputCount, byte** outputNames, nint* outputs, nuint outputCount)
    {
        _runtime.Check(_runtime.Api.Run(_handle.DangerousGetHandle(), 0, inputNames, inputs, inputCount, outputNames, outputCount, outputs));
        GC.KeepAlive(this);
    }

    public void Dispose() => _handle.Dispose();

    private static void AddConfig(OnnxRuntime runtime, nint options, string key, string value)
    {
        fixed (byte* k = OnnxRuntime.Utf8Z(key))
        fixed (byte* v = OnnxRuntime.Utf8Z(value))
            runtime.Check(runtime.Api.AddSessionConfigEntry(options, k, v));
    }

    private TensorMetadata[] ReadMetadata(bool isInput)
    {
        var api = _runtime.Api;
        nint session = _handle.DangerousGetHandle();
        nuint count;
        _runtime.Check(isInput ? api.SessionGetInputCount(session, &count) : api.SessionGetOutputCount(session, &count));

        var result = new TensorMetadata[(int)count];
        for (nuint i = 0; i < count; i++)
        {
            byte* rawName;
            _runtime.Check(isInput
                ? api.SessionGetInputName(session, i, _runtime.DefaultAllocator, &rawName)
                : api.SessionGetOutputName(session, i, _runtime.DefaultAllocator, &rawName));
            string name = _runtime.TakeAllocatedString(rawName);

            nint rawTypeInfo;
            _runtime.Check(isInput
                ? api.SessionGetInputTypeInfo(session, i, &rawTypeInfo)
                : api.SessionGetOutputTypeInfo(session, i, &rawTypeInfo));
            using var typeInfo = new OrtTypeInfoHandle(rawTypeInfo, api);
            result[(int)i] = ReadTensorInfo(name, rawTypeInfo);
        }
        return result;
    }

    private TensorMetadata ReadTensorInfo(string name, nint typeInfo)
    {
        var api = _runtime.Api;
        nint info; // belongs to typeInfo
        _runtime.Check(api.CastTypeInfoToTensorInfo(typeInfo, &info));
        if (info == 0) return new TensorMetadata(name, false, OnnxTensorElementDataType.Undefined, [], []);

        OnnxTensorElementDataType elementType;
        _runtime.Check(api.GetTensorElementType(info, &elementType));
        nuint rank;
        _runtime.Check(api.GetDimensionsCount(info, &rank));
        var dims = new long[(int)rank];
        var symbols = new string[(int)rank];
        if (rank > 0)
        {
            var symbolPointers = new nint[(int)rank];
            fixed (long* d = dims)
                _runtime.Check(api.GetDimensions(info, d, rank));
            fixed (nint* p = symbolPointers)
                _runtime.Check(api.GetSymbolicDimensions(info, (byte**)p, rank));
            for (int axis = 0; axis < (int)rank; axis++)
                symbols[axis] = System.Runtime.InteropServices.Marshal.PtrToStringUTF8(symbolPointers[axis]) ?? "";
        }
        return new TensorMetadata(name, true, elementType, dims, symbols);
    }
}
