using System.Runtime.InteropServices;
using XrayClassifier.Function.Inference.Onnx;
using XrayClassifier.ModelGen.Protobuf;

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
        var packed = new ProtoMessage().Varint(1, 3).Varint(2, 1).String(8, "packed")
            .Bytes(4, MemoryMarshal.AsBytes(new float[] { 1.5f, -2f, 0.25f }.AsSpan()).ToArray());
        var unpacked = new ProtoMessage().Varint(1, 2).Varint(2, 1).String(8, "unpacked").Fixed32(4, 7f).Fixed32(4, -0.5f);
        var raw = new ProtoMessage().Varint(1, 1).Varint(1, 2).Varint(2, 1).String(8, "raw").RawFloats(9, new float[] { 3f, 4f });
        var ints = new ProtoMessage().Varint(1, 2).Varint(2, 7).String(8, "axes")
            .Bytes(7, new byte[] { 2, 3 }); // packed int64_data: varints 2 and 3
        var graph = new ProtoMessage().Message(5, packed).Message(5, unpacked).Message(5, raw).Message(5, ints);
        var model = new ProtoMessage().Varint(1, 8).Message(7, graph).ToArray();

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
}
