using System.Runtime.InteropServices;
using XrayClassifier.Function.Inference.Onnx;
using Google.Protobuf;
using Onnx;

namespace XrayClassifier.Tests.Inference;

/// <summary>The bounded protobuf reader and the ONNX graph read with it (the activation-map head search's input).</summary>
public sealed class OnnxGraphTests
{
    [Fact]
    public void ReadsTheNodesInitializersAndOutputsOfAModelGenModel()
    {
        var model = HeatmapModels.GemmHead();
        var graph = OnnxGraph.Read(model);

        Assert.Equal(["AveragePool", "GlobalAveragePool", "Flatten", "Gemm", "Sigmoid"], graph.Nodes.Select(n => n.OpType));
        Assert.Equal(["input"], graph.Inputs);
        Assert.Equal(["output"], graph.Outputs);
        var gemm = graph.Producer("logits")!;
        Assert.Equal(["flat", "fc.weight", "fc.bias"], gemm.Inputs);
        Assert.Equal(1, gemm.Int("transB", 0));
        Assert.Equal([32L, 32L], graph.Producer("features")!.Attribute("kernel_shape")!.Ints);
        Assert.Equal(HeatmapModels.Weights, graph.Constant("fc.weight")!.ReadFloats(model));
        Assert.Equal([2L, 3L], graph.Constant("fc.weight")!.Dims);
        Assert.Null(graph.Constant("flat"));
    }

    [Fact]
    public void ReadsFloatDataPackedAndUnpackedAsWellAsRawData()
    {
        // onnx.proto's float_data/int64_data are proto2 repeated scalars: written unpacked by Google.Protobuf,
        // packed by other writers. Both decode to the same values (protobuf encoding spec), so both are read here.
        var packed = new TensorProto { DataType = 1, Name = "packed" };
        packed.Dims.Add(3);
        var unpacked = new TensorProto { DataType = 1, Name = "unpacked" };
        unpacked.Dims.Add(2);
        unpacked.FloatData.AddRange([7f, -0.5f]);
        var raw = new TensorProto { DataType = 1, Name = "raw", RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(new float[] { 3f, 4f }.AsSpan())) };
        raw.Dims.AddRange([1, 2]);
        var ints = new TensorProto { DataType = 7, Name = "axes" };
        ints.Dims.Add(2);
        // GraphProto.initializer is field 5; ModelProto.ir_version 1, graph 7 (onnx.proto).
        var graph = Fields(5, [WithPacked(packed, 4, MemoryMarshal.AsBytes(new float[] { 1.5f, -2f, 0.25f }.AsSpan()).ToArray()),
            unpacked.ToByteArray(), raw.ToByteArray(), WithPacked(ints, 7, [2, 3])]); // packed int64_data: varints 2 and 3
        var model = new ModelProto { IrVersion = 8 }.ToByteArray().Concat(Fields(7, [graph])).ToArray();

        var read = OnnxGraph.Read(model);

        Assert.Equal([1.5f, -2f, 0.25f], read.Constant("packed")!.ReadFloats(model));
        Assert.Equal([7f, -0.5f], read.Constant("unpacked")!.ReadFloats(model));
        Assert.Equal([3f, 4f], read.Constant("raw")!.ReadFloats(model));
        Assert.Equal([1L, 2L], read.Constant("raw")!.Dims);
        Assert.Equal([2L, 3L], read.Constant("axes")!.ReadInt64s(model));
    }

    [Theory]
    [InlineData(new byte[] { 0x3A, 0x05, 0x0A }, "runs past the end")]                                    // graph: length 5, 1 byte left
    [InlineData(new byte[] { 0x08, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01 }, "longer than 10 bytes")]
    [InlineData(new byte[] { 0x0B }, "wire type 3")]                                                        // a group
    [InlineData(new byte[] { 0x00 }, "field number 0")]
    [InlineData(new byte[] { 0x08, 0x01 }, "no ONNX graph")]
    public void RefusesMalformedProtobufWithItsReason(byte[] bytes, string reason)
    {
        var e = Assert.Throws<InvalidDataException>(() => OnnxGraph.Read(bytes));
        Assert.Contains(reason, e.Message);
    }

    [Fact]
    public void AddsAGraphOutputChangingOnlyTheGraphsLengthPrefix()
    {
        var model = HeatmapModels.GemmHead();
        var graph = OnnxGraph.Read(model);

        var variant = graph.WithExtraOutput(model, "features");
        var reread = OnnxGraph.Read(variant);

        Assert.Equal(["output", "features"], reread.Outputs);
        Assert.Equal(graph.Nodes.Select(n => n.Display), reread.Nodes.Select(n => n.Display));
        Assert.Equal(HeatmapModels.Weights, reread.Constant("fc.weight")!.ReadFloats(variant));
        // Everything before the graph and inside it is the same bytes.
        var (tagStart, contentStart, contentEnd) = graph.Location;
        Assert.Equal(model.AsSpan(0, (int)tagStart).ToArray(), variant.AsSpan(0, (int)tagStart).ToArray());
        int shift = (int)(reread.Location.ContentStart - contentStart);
        Assert.Equal(model.AsSpan((int)contentStart, (int)(contentEnd - contentStart)).ToArray(),
            variant.AsSpan((int)contentStart + shift, (int)(contentEnd - contentStart)).ToArray());
    }

    /// <summary><paramref name="tensor"/>'s bytes with a packed (length-delimited) field <paramref name="number"/> appended, as a packing writer emits it.</summary>
    private static byte[] WithPacked(TensorProto tensor, int number, byte[] content) =>
        tensor.ToByteArray().Concat(Fields(number, [content])).ToArray();

    /// <summary>Each of <paramref name="contents"/> as a length-delimited field <paramref name="number"/>.</summary>
    private static byte[] Fields(int number, byte[][] contents)
    {
        using var buffer = new MemoryStream();
        var output = new CodedOutputStream(buffer);
        foreach (var content in contents)
        {
            output.WriteTag(number, WireFormat.WireType.LengthDelimited);
            output.WriteBytes(ByteString.CopyFrom(content));
        }
        output.Flush();
        return buffer.ToArray();
    }
}
