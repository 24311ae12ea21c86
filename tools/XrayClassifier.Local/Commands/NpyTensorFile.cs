using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace XrayClassifier.Local.Commands;

/// <summary>Writes a float32 tensor as a NumPy .npy file (format 1.0, little-endian, C order), so that
/// <c>numpy.load</c> can compare the handler's model input with a reference pipeline.</summary>
internal static class NpyTensorFile
{
    public static void Write(string path, ReadOnlySpan<float> values, IReadOnlyList<int> shape)
    {
        long count = 1;
        foreach (var d in shape) count *= d;
        if (count != values.Length) throw new ArgumentException($"shape holds {count} values, tensor has {values.Length}");

        var dims = shape.Count == 1 ? $"{shape[0]}," : string.Join(", ", shape.Select(d => d.ToString(CultureInfo.InvariantCulture)));
        var dict = $"{{'descr': '<f4', 'fortran_order': False, 'shape': ({dims}), }}";
        // Magic (6) + version (2) + header length (2) + header, padded with spaces and ending in '\n'
        // so that the data starts on a 64-byte boundary.
        int unpadded = 10 + dict.Length + 1;
        var header = dict + new string(' ', (64 - unpadded % 64) % 64) + "\n";

        using var file = File.Create(path);
        file.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0]);
        Span<byte> length = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(length, (ushort)header.Length);
        file.Write(length);
        file.Write(Encoding.ASCII.GetBytes(header));
        var buffer = new byte[values.Length * sizeof(float)];
        for (int i = 0; i < values.Length; i++)
            BinaryPrimitives.WriteSingleLittleEndian(buffer.AsSpan(i * sizeof(float)), values[i]);
        file.Write(buffer);
    }
}
