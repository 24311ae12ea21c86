using System.Buffers.Binary;
using System.Text;

namespace XrayClassifier.Function.Inference.Onnx;

/// <summary>Protobuf wire types (the encoding spec's numbers); groups (3, 4) are not used by onnx.proto.</summary>
internal enum WireType { Varint = 0, Fixed64 = 1, LengthDelimited = 2, Fixed32 = 5 }

/// <summary>
/// Reads one protobuf message's fields from bytes, bounded: every length is checked against what is left,
/// a varint is at most 10 bytes, groups and unknown wire types are refused. Malformed input throws
/// <see cref="InvalidDataException"/>; nothing is allocated but the strings asked for. Offsets are absolute
/// (<see cref="Start"/> + position), so a caller can locate a field in the whole file.
/// </summary>
internal ref struct ProtoReader
{
    private readonly ReadOnlySpan<byte> _data;
    private int _position;

    /// <param name="data">The message's bytes.</param>
    /// <param name="start">Where <paramref name="data"/> begins in the outermost buffer.</param>
    public ProtoReader(ReadOnlySpan<byte> data, long start = 0)
    {
        _data = data;
        Start = start;
    }

    /// <summary>Absolute offset of this message's first byte.</summary>
    public long Start { get; }

    /// <summary>Absolute offset of the next unread byte.</summary>
    public readonly long Offset => Start + _position;

    /// <summary>True when every byte of the message has been read.</summary>
    public readonly bool AtEnd => _position >= _data.Length;

    /// <summary>Moves to the next field; false at the end of the message.</summary>
    public bool Next(out int field, out WireType wireType)
    {
        if (_position >= _data.Length)
        {
            field = 0;
            wireType = default;
            return false;
        }
        long at = Offset;
        ulong tag = Varint();
        ulong number = tag >> 3;
        if (number == 0 || number > int.MaxValue) throw new InvalidDataException($"protobuf field number {number} at byte {at}");
        field = (int)number;
        wireType = (WireType)(tag & 7);
        if (wireType is not (WireType.Varint or WireType.Fixed64 or WireType.LengthDelimited or WireType.Fixed32))
            throw new InvalidDataException($"protobuf wire type {(int)wireType} (field {field}) at byte {at} is not supported");
        return true;
    }

    public ulong Varint()
    {
        ulong value = 0;
        for (int shift = 0; shift < 70; shift += 7)
        {
            if (_position >= _data.Length) throw new InvalidDataException($"protobuf varint runs past the end at byte {Offset}");
            byte b = _data[_position++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80) return value;
        }
        throw new InvalidDataException($"protobuf varint longer than 10 bytes at byte {Offset}");
    }

    public uint Fixed32() => BinaryPrimitives.ReadUInt32LittleEndian(Take(4));

    /// <summary>A length-delimited field's content (an embedded message, string, bytes or packed values).</summary>
    public ReadOnlySpan<byte> Bytes()
    {
        long at = Offset;
        ulong length = Varint();
        if (length > (ulong)(_data.Length - _position))
            throw new InvalidDataException($"protobuf length {length} at byte {at} runs past the end of its message ({_data.Length - _position} bytes left)");
        return Take((int)length);
    }

    /// <summary>An embedded message, as a reader whose offsets stay absolute.</summary>
    public ProtoReader Message()
    {
        var bytes = Bytes();
        return new ProtoReader(bytes, Offset - bytes.Length);
    }

    public string String() => Encoding.UTF8.GetString(Bytes());

    public void Skip(WireType wireType)
    {
        switch (wireType)
        {
            case WireType.Varint: Varint(); break;
            case WireType.Fixed64: Take(8); break;
            case WireType.Fixed32: Take(4); break;
            default: Bytes(); break;
        }
    }

    private ReadOnlySpan<byte> Take(int count)
    {
        if (count > _data.Length - _position) throw new InvalidDataException($"protobuf value runs past the end at byte {Offset}");
        var span = _data.Slice(_position, count);
        _position += count;
        return span;
    }
}
