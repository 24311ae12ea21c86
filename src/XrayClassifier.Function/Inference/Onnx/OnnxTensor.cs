using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace XrayClassifier.Function.Inference.Onnx;

/// <summary>
/// A TensorProto found in the model (an initializer, or a Constant node's value): its name, type and shape
/// read, its data left where it is and read on demand from the model's bytes (<see cref="ReadFloats"/>), so
/// that walking a 28 MB model's graph copies none of its weights.
/// </summary>
internal sealed class OnnxTensor
{
    /// <summary>TensorProto.DataType FLOAT and INT64.</summary>
    public const int Float = 1, Int64 = 7;

    public required string Name { get; init; }

    public required long[] Dims { get; init; }

    /// <summary>TensorProto.data_type (1 float, 7 int64, 10 float16, …).</summary>
    public required int DataType { get; init; }

    /// <summary>data_location EXTERNAL: the values are in another file.</summary>
    public bool External { get; init; }

    /// <summary>raw_data's place in the model bytes (absolute offset, length), when present.</summary>
    public (long Offset, int Length)? Raw { get; init; }

    /// <summary>float_data as it was written: packed runs (length-delimited) or single fixed32 values.</summary>
    public IReadOnlyList<(long Offset, int Length)> FloatData { get; init; } = [];

    /// <summary>int64_data, read eagerly (only small shape and axes tensors use it).</summary>
    public IReadOnlyList<long> Int64Data { get; init; } = [];

    public long ElementCount
    {
        get
        {
            long n = 1;
            foreach (long d in Dims) n = checked(n * d);
            return n;
        }
    }

    /// <summary>The values of a float tensor; <paramref name="model"/> is the whole model file the offsets refer to.</summary>
    public float[] ReadFloats(ReadOnlySpan<byte> model)
    {
        if (DataType != Float) throw new InvalidDataException($"tensor \"{Name}\" holds data type {DataType}, not float32");
        if (External) throw new InvalidDataException($"tensor \"{Name}\" is stored outside the model file (external data)");
        long count = ElementCount;
        if (count > int.MaxValue / 4) throw new InvalidDataException($"tensor \"{Name}\" has {count} elements");
        var values = new float[count];
        if (Raw is { } raw)
        {
            if (raw.Length != count * 4) throw new InvalidDataException($"tensor \"{Name}\" has {raw.Length} bytes of raw_data for {count} floats");
            var bytes = Slice(model, raw.Offset, raw.Length);
            if (BitConverter.IsLittleEndian) bytes.CopyTo(MemoryMarshal.AsBytes(values.AsSpan()));
            else for (int i = 0; i < values.Length; i++) values[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes[(i * 4)..]);
            return values;
        }
        int filled = 0;
        foreach (var (offset, length) in FloatData)
        {
            var bytes = Slice(model, offset, length);
            if (length % 4 != 0 || filled + length / 4 > values.Length)
                throw new InvalidDataException($"tensor \"{Name}\" has more float_data than its {count} elements");
            for (int i = 0; i < length; i += 4) values[filled++] = BinaryPrimitives.ReadSingleLittleEndian(bytes[i..]);
        }
        if (filled != values.Length) throw new InvalidDataException($"tensor \"{Name}\" has {filled} values for its {count} elements");
        return values;
    }

    /// <summary>The values of an int64 tensor (axes, shapes).</summary>
    public long[] ReadInt64s(ReadOnlySpan<byte> model)
    {
        if (DataType != Int64) throw new InvalidDataException($"tensor \"{Name}\" holds data type {DataType}, not int64");
        if (Raw is { } raw)
        {
            var bytes = Slice(model, raw.Offset, raw.Length);
            var values = new long[raw.Length / 8];
            for (int i = 0; i < values.Length; i++) values[i] = BinaryPrimitives.ReadInt64LittleEndian(bytes[(i * 8)..]);
            return values;
        }
        return [.. Int64Data];
    }

    private ReadOnlySpan<byte> Slice(ReadOnlySpan<byte> model, long offset, int length)
    {
        if (offset < 0 || offset + length > model.Length) throw new InvalidDataException($"tensor \"{Name}\" data lies outside the model");
        return model.Slice((int)offset, length);
    }
}
