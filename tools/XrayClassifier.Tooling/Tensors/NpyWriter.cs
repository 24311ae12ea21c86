using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using XrayClassifier.Function.Imaging;

namespace XrayClassifier.Tooling.Tensors;

/// <summary>
/// Writes a float32 tensor as a NumPy .npy file (format version 1.0: magic, header length, a Python
/// dict literal padded so the data starts on a 64-byte boundary, then little-endian C-order data), so
/// the exact model input can be checked with <c>numpy.load</c>.
/// </summary>
public static class NpyWriter
{
    /// <summary>Writes <paramref name="tensor"/> with shape [1, C, H, W] of <paramref name="spec"/>.</summary>
    public static void Write(string path, ReadOnlySpan<float> tensor, PreprocessSpec spec)
    {
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None);
        Write(stream, tensor[..spec.ElementCount], [1, spec.Channels, spec.Height, spec.Width]);
    }

    /// <summary>Writes <paramref name="tensor"/> with the given shape (the product must equal its length).</summary>
    public static void Write(Stream stream, ReadOnlySpan<float> tensor, ReadOnlySpan<int> shape)
    {
        long count = 1;
        foreach (int d in shape)
        {
            if (d < 0) throw new ArgumentOutOfRangeException(nameof(shape), "dimensions cannot be negative");
            count *= d;
        }
        if (count != tensor.Length)
            throw new ArgumentException($"shape holds {count} elements but the tensor has {tensor.Length}.", nameof(shape));

        var dims = new StringBuilder();
        foreach (int d in shape) dims.Append(d.ToString(CultureInfo.InvariantCulture)).Append(", ");
        string shapeText = shape.Length == 1 ? $"({shape[0]},)" : $"({dims.ToString().TrimEnd(' ', ',')})";
        string dict = $"{{'descr': '<f4', 'fortran_order': False, 'shape': {shapeText}, }}";

        const int preamble = 10; // 6 magic + 2 version + 2 header length
        int headerLength = dict.Length + 1; // + '\n'
        int padded = (preamble + headerLength + 63) / 64 * 64 - preamble;
        if (padded > ushort.MaxValue) throw new ArgumentException("shape too long for .npy v1.0", nameof(shape));

        Span<byte> head = stackalloc byte[preamble];
        head[0] = 0x93;
        "NUMPY"u8.CopyTo(head[1..]);
        head[6] = 1; head[7] = 0;
        BinaryPrimitives.WriteUInt16LittleEndian(head[8..], (ushort)padded);
        stream.Write(head);
        stream.Write(Encoding.ASCII.GetBytes(dict.PadRight(padded - 1) + "\n"));

        Span<byte> chunk = stackalloc byte[4096];
        for (int i = 0; i < tensor.Length;)
        {
            int n = Math.Min(chunk.Length / 4, tensor.Length - i);
            for (int j = 0; j < n; j++)
                BinaryPrimitives.WriteSingleLittleEndian(chunk[(j * 4)..], tensor[i + j]);
            stream.Write(chunk[..(n * 4)]);
            i += n;
        }
    }
}
