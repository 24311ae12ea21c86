using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace XrayClassifier.Function.Inference.Runtime;

/// <summary>
/// A float tensor whose data lives in native memory we own (64-byte aligned, as ORT's own allocator
/// would), wrapped once in an <see cref="OrtValue"/> that ORT reads from or writes into on every run. ORT
/// never copies or frees the buffer (<c>CreateTensorValueWithData</c>); the value is released before the
/// memory, so the buffer outlives every use ORT can make of it.
/// </summary>
internal sealed unsafe class NativeTensor : IDisposable
{
    private const nuint Alignment = 64;

    private void* _data;

    private NativeTensor(void* data, OrtValue value, int length)
    {
        _data = data;
        Value = value;
        Length = length;
    }

    public int Length { get; }

    /// <summary>The ORT value over the buffer, created once.</summary>
    public OrtValue Value { get; }

    public Span<float> Span => new(_data, Length);

    public static NativeTensor Create(long[] shape)
    {
        long count = 1;
        foreach (long d in shape) count = checked(count * d);
        int length = checked((int)count);
        nuint bytes = (nuint)length * sizeof(float);
        void* data = NativeMemory.AlignedAlloc(Math.Max(bytes, Alignment), Alignment);
        NativeMemory.Clear(data, Math.Max(bytes, Alignment));
        try
        {
            var value = OrtValue.CreateTensorValueWithData(OrtMemoryInfo.DefaultInstance, TensorElementType.Float, shape, (nint)data, (long)bytes);
            return new NativeTensor(data, value, length);
        }
        catch
        {
            NativeMemory.AlignedFree(data);
            throw;
        }
    }

    public void Dispose()
    {
        if (_data == null) return;
        Value.Dispose();
        NativeMemory.AlignedFree(_data);
        _data = null;
    }
}
