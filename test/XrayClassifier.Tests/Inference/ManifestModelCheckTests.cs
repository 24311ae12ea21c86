using System.Text.Json.Nodes;
using XrayClassifier.Function.Configuration;
using XrayClassifier.Function.Inference;
using XrayClassifier.ModelGen;

namespace XrayClassifier.Tests.Inference;

/// <summary>The manifest checked against the model's real metadata, as ORT reports it.</summary>
public sealed class ManifestModelCheckTests
{
    private static PlatformUnavailableException Refuse(byte[] model, JsonObject manifest, params string[] expected)
    {
        using var efs = new TestEfs();
        var layout = efs.AddModel(model, manifest);
        var e = Assert.Throws<PlatformUnavailableException>(() => ClassifierLoader.Load(layout, new ClassifierSettings(1, false)));
        Assert.Equal("manifest", e.Component);
        Assert.StartsWith($"The model manifest {layout.ManifestPath} does not match the model {Path.Combine(layout.ModelDirectory, "model.onnx")}:", e.Message);
        foreach (var text in expected)
            Assert.True(e.Message.Contains(text, StringComparison.Ordinal), $"expected \"{text}\" in:\n{e.Message}");
        return e;
    }

    private static PooledLinearCase Model(int channels = 3, int labels = 4) => PooledLinearCase.Create(channels, 8, 8, labels, Head.Sigmoid);

    private static JsonObject With(JsonObject manifest, Action<JsonObject> change)
    {
        change(manifest);
        return manifest;
    }

    [Fact]
    public void ChannelsMustMatchTheModel()
    {
        var model = Model(channels: 1);
        var manifest = With(model.Manifest(), m =>
        {
            m["input"]!["channels"] = 3;
            m["input"]!["mean"] = new JsonArray(0.5, 0.5, 0.5);
            m["input"]!["std"] = new JsonArray(0.2, 0.2, 0.2);
        });
        Refuse(model.Model(), manifest, "input.channels is 3 but the model's input \"input\" [1, 1, 8, 8] has channels 1.");
    }

    [Fact]
    public void HeightAndWidthMustMatchTheModel()
    {
        var model = Model();
        var manifest = With(model.Manifest(), m => { m["input"]!["height"] = 10; m["input"]!["width"] = 6; });
        Refuse(model.Model(dynamicBatch: true), manifest,
            "input.height is 10 but the model's input \"input\" [batch, 3, 8, 8] has height (axis 2) 8.",
            "input.width is 6 but the model's input \"input\" [batch, 3, 8, 8] has width (axis 3) 8.");
    }

    [Fact]
    public void DynamicHeightAndWidthTakeTheManifestsSize()
    {
        using var efs = new TestEfs();
        var model = PooledLinearCase.Create(3, 8, 8, 4, Head.Sigmoid);
        var manifest = With(model.Manifest(), m => { m["input"]!["height"] = 20; m["input"]!["width"] = 30; });
        using var classifier = ClassifierLoader.Load(efs.AddModel(model.Model(dynamicSpatial: true), manifest), new ClassifierSettings(1, false));

        Assert.Equal(3 * 20 * 30, classifier.InputBuffer.Length);
        var input = (model with { Height = 20, Width = 30 }).Input();
        input.CopyTo(classifier.InputBuffer);
        var result = classifier.RunAndScore();
        var expected = (model with { Height = 20, Width = 30 }).Expected(input);
        foreach (var p in result.Predictions) Assert.Equal(expected[Array.IndexOf(model.LabelNames, p.Label)], p.Probability, 1e-5);
    }

    [Fact]
    public void LabelCountMustEqualTheOutputsValueCount()
    {
        var model = Model(labels: 4);
        var manifest = With(model.Manifest(), m => m["output"]!["labels"] = new JsonArray("a", "b", "c", "d", "e"));
        Refuse(model.Model(), manifest, "output.labels has 5 labels but the model's output \"output\" [1, 4] gives 4 value(s) per image; expected one label per value.");
    }

    [Fact]
    public void NamedInputMustExist()
    {
        var model = Model();
        var manifest = With(model.Manifest(), m => m["input"]!["name"] = "pixels");
        Refuse(model.Model(), manifest, "input.name is \"pixels\" but the model has no such input; model inputs: \"input\" [1, 3, 8, 8] float.");
    }

    [Fact]
    public void NamedOutputMustExist()
    {
        var model = Model();
        var manifest = With(model.Manifest(), m => m["output"]!["name"] = "probabilities");
        Refuse(model.Model(dynamicBatch: true), manifest, "output.name is \"probabilities\" but the model has no such output; model outputs: \"output\" [batch, 4] float.");
    }

    [Fact]
    public void OmittedNamesMeanTheModelsOwn()
    {
        using var efs = new TestEfs();
        var model = Model();
        var manifest = With(model.Manifest(), m => { m["input"]!.AsObject().Remove("name"); m["output"]!.AsObject().Remove("name"); });
        using var classifier = ClassifierLoader.Load(efs.AddModel(model.Model(inputName: "pixels", outputName: "scores"), manifest), new ClassifierSettings(1, false));

        var input = model.Input();
        input.CopyTo(classifier.InputBuffer);
        Assert.Equal(model.Expected(input).Max(), classifier.RunAndScore().Probability, 1e-5);
    }

    [Fact]
    public void APyTorchStyleModelWithInitializersListedAsInputsHasOneInput()
    {
        // torch.onnx.export (ir_version 7) lists "fc.weight" and "fc.bias" among the graph inputs too.
        using var efs = new TestEfs();
        var model = PooledLinearCase.Create(3, 8, 8, 4, Head.Sigmoid, seed: 9);
        var manifest = With(model.Manifest(), m => m["input"]!.AsObject().Remove("name"));
        var bytes = OnnxModels.PyTorchStyle(3, 8, 8, model.Weights, model.Bias, Head.Sigmoid);
        using var classifier = ClassifierLoader.Load(efs.AddModel(bytes, manifest), new ClassifierSettings(1));

        var input = model.Input();
        input.CopyTo(classifier.InputBuffer);
        var expected = model.Expected(input);
        foreach (var p in classifier.RunAndScore().Predictions) Assert.Equal(expected[Array.IndexOf(model.LabelNames, p.Label)], p.Probability, 1e-5);
    }

    [Fact]
    public void ReportsEveryMismatchAtOnce()
    {
        var model = Model(channels: 1, labels: 4);
        var manifest = With(model.Manifest(), m =>
        {
            m["input"]!["height"] = 9;
            m["output"]!["labels"] = new JsonArray("a", "b");
        });
        var e = Refuse(model.Model(), manifest, "input.height is 9", "output.labels has 2 labels");
        Assert.Equal(2, e.Message.Split('\n').Count(l => l.StartsWith("  - ", StringComparison.Ordinal)));
    }

    [Fact]
    public void InputMustBeFloat()
    {
        Refuse(OddModels.ByteInput(), Model().Manifest(),
            "the model's input \"input\" [1, 3, 8, 8] holds uint8 elements; the classifier feeds float32 (export the model with a float input).");
    }

    [Fact]
    public void InputMustBeAnNchwImage()
    {
        Refuse(OddModels.FlatInput(), Model().Manifest(),
            "the model's input \"input\" [1, 192] has rank 2; the classifier feeds NCHW images, rank 4: [1, channels, height, width].");
    }

    [Fact]
    public void BatchMustBeOneOrDynamic()
    {
        Refuse(OddModels.BatchOfTwo(), Model().Manifest(),
            "the model's input \"input\" [2, 3, 8, 8] has batch size 2; the classifier runs one image at a time (export with batch 1 or a dynamic batch).",
            "the model's output \"output\" [2, 4] has batch size 2; expected 1 or a dynamic batch.");
    }

    [Fact]
    public void ModelMustTakeOneInput()
    {
        var manifest = With(Model().Manifest(), m => m["input"]!["name"] = "frontal");
        Refuse(OddModels.TwoInputs(), manifest,
            "the model has 2 inputs (\"frontal\" [1, 3, 8, 8] float, \"lateral\" [1, 3, 8, 8] float); the classifier feeds exactly one image tensor.");
    }

    [Fact]
    public void OutputMustBeFloatScores()
    {
        Refuse(OddModels.ClassIndexOutput(), Model().Manifest(),
            "the model's output \"output\" [1, 1] holds int64 elements; the classifier reads float32 scores.");
    }
}
