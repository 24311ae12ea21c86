using XrayClassifier.Function.Inference.Native;

namespace XrayClassifier.Function.Inference.Runtime;

/// <summary>
/// A float tensor whose data lives in native memory we own (64-byte aligned, as ORT's own allocator
/// would), wrapped once in an <c>OrtValue</c> that ORT reads from or writes into on every run. ORT never
/// copies or frees the buffer; the value is released before the memory.
/// </summary>
internal sealed unsafe class NativeTensor : IDisposable
{
    private const nuint Alignment = 64;

    private readonly NativeMemoryHandle _memory;
    private readonly OrtValueHandle _value;

    private NativeTensor(NativeMemoryHandle memory, OrtValueHandle value, int length, long[] shape)
    {
        _memory = memory;
        _value = value;
        Length = length;
        Shape = shape;
    }

    public int Length { get; }
    public IReadOnlyList<long> Shape { get; }
    public float* Data => (float*)_memory.DangerousGetHandle();
    public Span<float> Span => new(Data, Length);

    /// <summary>C <c>OrtValue*</c>.</summary>
    public nint Value => _value.DangerousGetHandle();

    public static NativeTensor Create(OnnxRuntime runtime, OrtMemoryInfoHandle cpu, long[] shape)
    {
        long count = 1;
        foreach (long d in shape) count = checked(count * d);
        int length = checked((int)count);
        nuint bytes = (nuint)length * sizeof(float);
        var memory = new NativeMemoryHandle(Math.Max(bytes, Alignment), Alignment);
        try
        {
            nint value;
            fixed (long* s = shape)
            {
                runtime.Check(runtime.Api.CreateTensorWithDataAsOrtValue(cpu.DangerousGetHandle(), (void*)memory.DangerousGetHandle(),
                    bytes, s, (nuint)shape.Length, OnnxTensorElementDataType.Float, &value));
            }
            return new NativeTensor(memory, new OrtValueHandle(value, runtime.Api), length, shape);
        }
        catch
        {
            memory.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        _value.Dispose();
        _memory.Dispose();
    }
}
