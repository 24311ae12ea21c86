using System.Text.Json;
using XrayClassifier.ModelGen.Onnx;
using XrayClassifier.Tests.TestHelpers;

namespace XrayClassifier.Tests.ModelGen;

public sealed class OnnxModelBuilderTests
{
    [Fact]
    public void EveryAttributeKindAndDimensionParsesBackInOnnx()
    {
        var g = new OnnxModelBuilder("attributes") { DocString = "ünïcode dõc" };
        g.Input("x", OnnxElementType.Float, "n", 8, 300, 2);
        g.Output("y", OnnxElementType.Float, "n", 2, 4, 600);
        var x = g.Node("LeakyRelu", ["x"], ["leaky"], OnnxAttribute.Float("alpha", 0.25f));
        x = g.Node("Transpose", [x], ["t"], OnnxAttribute.Ints("perm", 0, 1, 3, 2));
        g.Node("DepthToSpace", [x], ["y"], OnnxAttribute.Int("blocksize", 2), OnnxAttribute.String("mode", "CRD"));
        using var dir = TestEnvironment.CreateTempDirectory();
        var path = dir.Combine("m.onnx");
        File.WriteAllBytes(path, g.ToArray());

        var check = OnnxCheck.Of(path); // full checker + strict shape inference: [n,8,300,2] → [n,2,4,600]
        Assert.Equal(new OnnxCheck.Value("y", 1, ["n", "2", "4", "600"]), Assert.Single(check.InferredOutputs), CheXNetModelTests.ValueComparer);

        var parsed = JsonDocument.Parse(Python.RunCode("""
            import sys, json, onnx
            from onnx import helper
            m = onnx.load(sys.argv[1])
            def value(a):
                v = helper.get_attribute_value(a)
                return v.decode() if isinstance(v, bytes) else list(v) if not isinstance(v, (int, float)) else v
            print(json.dumps(dict(doc=m.doc_string, attrs={a.name: value(a) for n in m.graph.node for a in n.attribute})))
            """, path)).RootElement;
        Assert.Equal("ünïcode dõc", parsed.GetProperty("doc").GetString());
        var attrs = parsed.GetProperty("attrs");
        Assert.Equal(0.25, attrs.GetProperty("alpha").GetDouble());
        Assert.Equal([0, 1, 3, 2], attrs.GetProperty("perm").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal(2, attrs.GetProperty("blocksize").GetInt32());
        Assert.Equal("CRD", attrs.GetProperty("mode").GetString());
    }

    [Fact]
    public void RejectsInitializerWhoseDataDoesNotFillItsShape()
    {
        var g = new OnnxModelBuilder("bad");
        var e = Assert.Throws<ArgumentException>(() => g.Initializer("w", [2, 3], new float[5]));
        Assert.Contains("[2,3] holds 6 elements, got 5", e.Message);
    }

    [Fact]
    public void RejectsTheSameInitializerNameTwice()
    {
        var g = new OnnxModelBuilder("dup");
        g.Initializer("w", [1], [1f]);
        Assert.Throws<ArgumentException>(() => g.Initializer("w", [1], [2f]));
    }
}
