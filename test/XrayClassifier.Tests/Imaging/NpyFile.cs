using System.Buffers.Binary;
using System.Text;
using System.Text.RegularExpressions;

namespace XrayClassifier.Tests.Imaging;

/// <summary>Reads the float32 .npy files the Python reference writes (v1/v2/v3, little-endian, C order).</summary>
public static partial class NpyFile
{
    public static (float[] Data, int[] Shape) ReadFloat32(string path)
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < 10 || bytes[0] != 0x93 || Encoding.ASCII.GetString(bytes, 1, 5) != "NUMPY")
            throw new InvalidDataException($"{path} is not a .npy file");
        int major = bytes[6];
        int headerLength = major == 1 ? BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8)) : (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8));
        int start = major == 1 ? 10 : 12;
        string header = Encoding.Latin1.GetString(bytes, start, headerLength);
        if (!header.Contains("'descr': '<f4'")) throw new InvalidDataException($"{path}: not little-endian float32: {header}");
        if (header.Contains("'fortran_order': True")) throw new InvalidDataException($"{path}: Fortran order");
        var shape = ShapePattern().Match(header).Groups[1].Value
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(int.Parse).ToArray();
        int offset = start + headerLength;
        var data = new float[(bytes.Length - offset) / 4];
        for (int i = 0; i < data.Length; i++) data[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(offset + 4 * i));
        if (data.Length != shape.Aggregate(1, (a, b) => a * b)) throw new InvalidDataException($"{path}: {data.Length} values for shape [{string.Join(",", shape)}]");
        return (data, shape);
    }

    /// <summary>Writes samples as a uint8/uint16 .npy, H×W×bands, for the reference to read raw.</summary>
    public static void WriteSamples(string path, Samples s)
    {
        string descr = s.Bits == 8 ? "|u1" : "<u2";
        string dict = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': ({s.Height}, {s.Width}, {s.Bands}), }}";
        int padded = (10 + dict.Length + 1 + 63) / 64 * 64 - 10;
        using var f = File.Create(path);
        f.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0, (byte)(padded & 0xFF), (byte)(padded >> 8)]);
        f.Write(Encoding.ASCII.GetBytes(dict.PadRight(padded - 1) + "\n"));
        f.Write(s.RawBytes);
    }

    [GeneratedRegex(@"'shape':\s*\(([^)]*)\)")]
    private static partial Regex ShapePattern();
}
