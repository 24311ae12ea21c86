using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace XrayClassifier.ModelGen.Protobuf;

/// <summary>
/// A protobuf message as an ordered list of fields, encoded with the wire format directly (no .proto
/// compiler). Large payloads (tensor data) are held by reference and streamed when written, so a 27 MB
/// model is never copied into one big buffer. Sizes are computed once, before writing, because every
/// embedded message is prefixed with its length.
/// </summary>
internal sealed class ProtoMessage
{
    private readonly List<Field> _fields = [];
    private long _size = -1;

    public ProtoMessage Varint(int number, long value) => Add(new VarintField(number, (ulong)value));

    public ProtoMessage Fixed32(int number, float value) => Add(new Fixed32Field(number, BitConverter.SingleToUInt32Bits(value)));

    public ProtoMessage String(int number, string value) => Add(new BytesField(number, Encoding.UTF8.GetBytes(value)));

    public ProtoMessage Bytes(int number, ReadOnlyMemory<byte> value) => Add(new BytesField(number, value));

    /// <summary>A length-delimited field whose content is <paramref name="values"/> as little-endian floats (TensorProto.raw_data).</summary>
    public ProtoMessage RawFloats(int number, ReadOnlyMemory<float> values) => Add(new RawFloatsField(number, values));

    public ProtoMessage Message(int number, ProtoMessage value) => Add(new MessageField(number, value));

    /// <summary>The encoded size in bytes (without this message's own tag and length prefix).</summary>
    public long Size
    {
        get
        {
            if (_size < 0)
            {
                long size = 0;
                foreach (var f in _fields) size += f.Size;
                _size = size;
            }
            return _size;
        }
    }

    public void WriteTo(Stream stream)
    {
        foreach (var f in _fields) f.WriteTo(stream);
    }

    public byte[] ToArray()
    {
        var bytes = new byte[checked((int)Size)];
        using var ms = new MemoryStream(bytes);
        WriteTo(ms);
        if (ms.Position != bytes.Length) throw new InvalidOperationException($"wrote {ms.Position} bytes, sized {bytes.Length}");
        return bytes;
    }

    private ProtoMessage Add(Field f)
    {
        _fields.Add(f);
        _size = -1;
        return this;
    }

    internal static int VarintSize(ulong v)
    {
        var n = 1;
        while (v >= 0x80) { v >>= 7; n++; }
        return n;
    }

    internal static void WriteVarint(Stream s, ulong v)
    {
        Span<byte> buf = stackalloc byte[10];
        var n = 0;
        while (v >= 0x80) { buf[n++] = (byte)(v | 0x80); v >>= 7; }
        buf[n++] = (byte)v;
        s.Write(buf[..n]);
    }

    // Wire types from the protobuf encoding spec.
    private const int WireVarint = 0, WireLengthDelimited = 2, WireFixed32 = 5;

    private abstract class Field(int number, int wireType)
    {
        private ulong Tag => ((ulong)number << 3) | (uint)wireType;
        protected int TagSize => VarintSize(Tag);
        protected void WriteTag(Stream s) => WriteVarint(s, Tag);
        public abstract long Size { get; }
        public abstract void WriteTo(Stream s);
    }

    private sealed class VarintField(int number, ulong value) : Field(number, WireVarint)
    {
        public override long Size => TagSize + VarintSize(value);
        public override void WriteTo(Stream s) { WriteTag(s); WriteVarint(s, value); }
    }

    private sealed class Fixed32Field(int number, uint bits) : Field(number, WireFixed32)
    {
        public override long Size => TagSize + 4;
        public override void WriteTo(Stream s)
        {
            WriteTag(s);
            Span<byte> b = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32LittleEndian(b, bits);
            s.Write(b);
        }
    }

    private abstract class LengthDelimitedField(int number) : Field(number, WireLengthDelimited)
    {
        protected abstract long ContentSize { get; }
        protected abstract void WriteContent(Stream s);
        public override long Size => TagSize + VarintSize((ulong)ContentSize) + ContentSize;
        public override void WriteTo(Stream s)
        {
            WriteTag(s);
            WriteVarint(s, (ulong)ContentSize);
            WriteContent(s);
        }
    }

    private sealed class BytesField(int number, ReadOnlyMemory<byte> value) : LengthDelimitedField(number)
    {
        protected override long ContentSize => value.Length;
        protected override void WriteContent(Stream s) => s.Write(value.Span);
    }

    private sealed class RawFloatsField(int number, ReadOnlyMemory<float> values) : LengthDelimitedField(number)
    {
        protected override long ContentSize => (long)values.Length * sizeof(float);
        protected override void WriteContent(Stream s)
        {
            // raw_data is little-endian by definition; every platform .NET runs this tool on is too.
            if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("big-endian hosts are not supported");
            s.Write(MemoryMarshal.AsBytes(values.Span));
        }
    }

    private sealed class MessageField(int number, ProtoMessage value) : LengthDelimitedField(number)
    {
        protected override long ContentSize => value.Size;
        protected override void WriteContent(Stream s) => value.WriteTo(s);
    }
}
