using System.Text.Json.Nodes;
using XrayClassifier.Function.Configuration;
using XrayClassifier.Function.Imaging;
using XrayClassifier.Function.Inference;
using XrayClassifier.Tests.TestHelpers;

namespace XrayClassifier.Tests.Inference;

public sealed class ManifestParsingTests
{
    private const string Valid = """
        {
          "name": "chexnet-densenet121", "version": "1", "model": "model.onnx",
          "input":  { "name": "input", "channels": 3, "height": 224, "width": 224,
                      "resize": "stretch", "interpolation": "bilinear",
                      "mean": [0.485, 0.456, 0.406], "std": [0.229, 0.224, 0.225] },
          "output": { "name": "probabilities", "activation": "none",
                      "labels": ["Atelectasis", "Cardiomegaly", "Effusion"], "threshold": 0.5 }
        }
        """;

    private static JsonObject ValidNode() => JsonNode.Parse(Valid)!.AsObject();

    private static PlatformUnavailableException Refuse(string json)
    {
        var e = Assert.Throws<PlatformUnavailableException>(() => TestManifest.Parse(json, "/efs/models/m/manifest.json"));
        Assert.Equal("manifest", e.Component);
        Assert.StartsWith("The model manifest /efs/models/m/manifest.json is not valid:", e.Message);
        return e;
    }

    private static string Mutated(Action<JsonObject> change)
    {
        var node = ValidNode();
        change(node);
        return node.ToJsonString();
    }

    private static JsonObject In(JsonObject node) => node["input"]!.AsObject();
    private static JsonObject Out(JsonObject node) => node["output"]!.AsObject();

    [Fact]
    public void ReadsEveryField()
    {
        var m = TestManifest.Parse(Valid);

        Assert.Equal(("chexnet-densenet121", "1", "model.onnx", "input", "probabilities"), (m.Name, m.Version, m.ModelFile, m.InputName, m.OutputName));
        Assert.Equal((3, 224, 224, ResizeMode.Stretch, Interpolation.Bilinear), (m.Input.Channels, m.Input.Height, m.Input.Width, m.Input.Resize, m.Input.Interpolation));
        Assert.Equal([0.485f, 0.456f, 0.406f], m.Input.Mean);
        Assert.Equal([0.229f, 0.224f, 0.225f], m.Input.Std);
        Assert.Equal(OutputActivation.None, m.Activation);
        Assert.Equal(["Atelectasis", "Cardiomegaly", "Effusion"], m.Labels);
        Assert.Equal(0.5f, m.ThresholdFor("Effusion"));
        Assert.Null(m.Notice);
    }

    [Fact]
    public void ReadsTheNoticeThatTravelsWithEveryAnswer()
    {
        var m = TestManifest.Parse(Mutated(n => n["notice"] = "Research use only."));
        Assert.Equal("Research use only.", m.Notice);
    }

    [Fact]
    public void TheShippedDefaultManifestIsValid()
    {
        var m = ModelManifest.Load(Path.Combine(TestEnvironment.EfsLayoutRoot, "models", XrayOptions.DefaultModelName, ModelManifest.FileName));
        Assert.Equal(14, m.Labels.Count);
        Assert.Equal((3, 224, 224), (m.Input.Channels, m.Input.Height, m.Input.Width));
        // The generated default model is untrained: its manifest must say so, so every answer does.
        Assert.Contains("Untrained", m.Notice);
    }

    [Theory]
    [InlineData("cover", "bicubic", "sigmoid", ResizeMode.Cover, Interpolation.Bicubic, OutputActivation.Sigmoid)]
    [InlineData("stretch", "nearest", "softmax", ResizeMode.Stretch, Interpolation.Nearest, OutputActivation.Softmax)]
    [InlineData("cover", "lanczos3", "none", ResizeMode.Cover, Interpolation.Lanczos3, OutputActivation.None)]
    public void ReadsEachResizeInterpolationAndActivation(string resize, string interpolation, string activation,
        ResizeMode expectedResize, Interpolation expectedInterpolation, OutputActivation expectedActivation)
    {
        var m = TestManifest.Parse(Mutated(n =>
        {
            In(n)["resize"] = resize;
            In(n)["interpolation"] = interpolation;
            Out(n)["activation"] = activation;
        }));
        Assert.Equal((expectedResize, expectedInterpolation, expectedActivation), (m.Input.Resize, m.Input.Interpolation, m.Activation));
    }

    [Fact]
    public void OptionalFieldsTakeTheirDocumentedDefaults()
    {
        var m = TestManifest.Parse(Mutated(n =>
        {
            In(n).Remove("name");
            In(n).Remove("resize");
            In(n).Remove("interpolation");
            Out(n).Remove("name");
            Out(n).Remove("threshold");
        }));
        Assert.Null(m.InputName);
        Assert.Null(m.OutputName);
        Assert.Equal(ResizeMode.Stretch, m.Input.Resize);
        Assert.Equal(Interpolation.Bilinear, m.Input.Interpolation);
        Assert.Equal(0.5f, m.ThresholdFor("Atelectasis"));
    }

    [Fact]
    public void PerLabelThresholdsFallBackToDefaultThenToOneHalf()
    {
        var withDefault = TestManifest.Parse(Mutated(n => Out(n)["threshold"] = new JsonObject { ["Cardiomegaly"] = 0.3, ["default"] = 0.7 }));
        Assert.Equal([0.7f, 0.3f, 0.7f], withDefault.Labels.Select(withDefault.ThresholdFor));

        var withoutDefault = TestManifest.Parse(Mutated(n => Out(n)["threshold"] = new JsonObject { ["Effusion"] = 0.9 }));
        Assert.Equal([0.5f, 0.5f, 0.9f], withoutDefault.Labels.Select(withoutDefault.ThresholdFor));
    }

    [Fact]
    public void ReadsTorchXrayVisionsPreprocessingCalibrationAndEmptyLabelSlots()
    {
        var m = TestManifest.Parse(Mutated(n =>
        {
            In(n)["channels"] = 1;
            In(n)["grey"] = "first";
            In(n)["crop"] = "center-square";
            In(n)["resize"] = "skimage-linear";
            In(n).Remove("interpolation");
            In(n)["mean"] = new JsonArray(0.5);
            In(n)["std"] = new JsonArray(1.0 / 2048);
            Out(n)["activation"] = "sigmoid";
            Out(n)["labels"] = new JsonArray("Atelectasis", "", "Effusion", "");
            Out(n)["calibration"] = new JsonObject { ["method"] = "op-norm", ["thresholds"] = new JsonArray(0.07, null, 0.1, null) };
        }));

        Assert.Equal((GreyConversion.First, CropMode.CenterSquare, ResizeMode.SkimageLinear), (m.Input.Grey, m.Input.Crop, m.Input.Resize));
        Assert.Equal(1f / 2048, m.Input.Std[0]);
        Assert.Equal(CalibrationMethod.OpNorm, m.Calibration);
        Assert.Equal([0.07f, float.NaN, 0.1f, float.NaN], m.OperatingPoints!);
        Assert.Equal(["Atelectasis", "", "Effusion", ""], m.Labels);
        Assert.Equal(["Atelectasis", "Effusion"], m.AnswerLabels);
    }

    [Fact]
    public void TodaysManifestsKeepTodaysPreprocessingAndNoCalibration()
    {
        var m = TestManifest.Parse(Valid);
        Assert.Equal((GreyConversion.Luma, CropMode.None), (m.Input.Grey, m.Input.Crop));
        Assert.Null(m.Calibration);
        Assert.Null(m.OperatingPoints);
        Assert.Equal(m.Labels, m.AnswerLabels);
    }

    [Fact]
    public void AcceptsCommentsAndTrailingCommasBecausePeopleWriteThese()
    {
        var m = TestManifest.Parse(Valid.Replace("\"version\": \"1\",", "\"version\": \"1\", // bumped on retraining\n")
            .Replace("\"threshold\": 0.5 }", "\"threshold\": 0.5, }"));
        Assert.Equal("1", m.Version);
    }

    public static TheoryData<string, string> Problems => new()
    {
        { Mutated(n => n.Remove("name")), "name is missing; expected a non-empty string." },
        { Mutated(n => n["version"] = " "), "version is empty; expected a non-empty string." },
        { Mutated(n => n.Remove("model")), "model is missing; expected a non-empty string." },
        { Mutated(n => n["model"] = "../other/model.onnx"), "model is \"../other/model.onnx\"; expected a file name inside the model folder" },
        { Mutated(n => n["model"] = "/mnt/efs/model.onnx"), "model is \"/mnt/efs/model.onnx\"; expected a file name inside the model folder" },
        { Mutated(n => n.Remove("input")), "input is missing; expected an object with channels, height, width, mean and std." },
        { Mutated(n => In(n)["name"] = ""), "input.name is empty; leave it out to use the model's own" },
        { Mutated(n => In(n).Remove("channels")), "input.channels is missing; expected 1 (grey) or 3 (RGB)." },
        { Mutated(n => In(n)["channels"] = 4), "input.channels is 4; expected 1 (grey) or 3 (RGB)." },
        { Mutated(n => In(n).Remove("height")), "input.height is missing; expected the model's input size in pixels." },
        { Mutated(n => In(n)["height"] = 0), "input.height is 0; expected 1 to 4096 pixels." },
        { Mutated(n => In(n)["width"] = 5000), "input.width is 5000; expected 1 to 4096 pixels." },
        { Mutated(n => In(n)["resize"] = "fit"), "input.resize is \"fit\"; expected \"stretch\" (scale to width×height), \"cover\" (shorter side to size, centre crop) or \"skimage-linear\"" },
        { Mutated(n => In(n)["interpolation"] = "cubic"), "input.interpolation is \"cubic\"; expected one of nearest, bilinear, bicubic, lanczos3." },
        { Mutated(n => In(n).Remove("mean")), "input.mean is missing; expected the mean of each channel on a 0–1 scale" },
        { Mutated(n => In(n)["mean"] = new JsonArray(0.5)), "input.mean has 1 value(s) but input.channels is 3; expected one value per channel." },
        { Mutated(n => In(n).Remove("std")), "input.std is missing; expected the standard deviation of each channel" },
        { Mutated(n => In(n)["std"] = new JsonArray(0.2, 0, 0.2)), "input.std[1] is 0; a standard deviation divides, so it must not be 0." },
        { Mutated(n => n.Remove("output")), "output is missing; expected an object with activation and labels." },
        { Mutated(n => Out(n)["name"] = ""), "output.name is empty" },
        { Mutated(n => Out(n).Remove("activation")), "output.activation is missing; expected \"none\" (the model already outputs probabilities), \"sigmoid\"" },
        { Mutated(n => Out(n)["activation"] = "relu"), "output.activation is \"relu\"; expected \"none\" (the model already outputs probabilities), \"sigmoid\" (multi-label logits) or \"softmax\" (single-label logits)." },
        { Mutated(n => { Out(n)["activation"] = "softmax"; Out(n)["labels"] = new JsonArray("Only"); }), "output.activation is \"softmax\" over a single label, which always gives 1" },
        { Mutated(n => Out(n).Remove("labels")), "output.labels is missing or empty; expected one label per model output value, in output order." },
        { Mutated(n => Out(n)["labels"] = new JsonArray()), "output.labels is missing or empty" },
        { Mutated(n => Out(n)["labels"] = new JsonArray("Mass", "Nodule", "Mass")), "output.labels[2] \"Mass\" appears twice; labels must be unique." },
        { Mutated(n => Out(n)["labels"] = new JsonArray("Mass", " ")), "output.labels[1] is empty; every label needs a name (or exactly \"\" for an output value that is no label)." },
        { Mutated(n => Out(n)["threshold"] = 1.5), "output.threshold is 1.5; expected a probability from 0 to 1." },
        { Mutated(n => Out(n)["threshold"] = -0.1), "output.threshold is -0.1; expected a probability from 0 to 1." },
        { Mutated(n => Out(n)["threshold"] = "0.5"), "output.threshold is the string \"0.5\"; expected a number from 0 to 1, or an object of per-label numbers" },
        { Mutated(n => Out(n)["threshold"] = new JsonObject { ["Pneumonia"] = 0.4 }), "output.threshold.Pneumonia: \"Pneumonia\" is not one of output.labels; expected a label name or \"default\"." },
        { Mutated(n => Out(n)["threshold"] = new JsonObject { ["Effusion"] = "high" }), "output.threshold.Effusion is the string \"high\"; expected a number from 0 to 1." },
        { Mutated(n => Out(n)["threshold"] = new JsonObject { ["default"] = 2 }), "output.threshold.default is 2; expected a probability from 0 to 1." },
        { Mutated(n => In(n)["channels"] = "3"), "input.channels (line 1, column " },
        { Mutated(n => In(n)["channels"] = "3"), "has the wrong type; expected a whole number: 1 or 3." },
        { Mutated(n => In(n)["channels"] = 2.5), "input.channels (line 1, column " },
        { Mutated(n => n["version"] = 1), "version (line 1, column 42) has the wrong type; expected a string (write \"1\", not 1)." },
        { Mutated(n => In(n)["mean"] = new JsonArray(0.5, "0.4", 0.3)), "has the wrong type; expected an array of numbers, one per channel." },
        { Mutated(n => Out(n)["labels"] = "Atelectasis"), "output.labels (line 1, column " },
        { Mutated(n => Out(n)["treshold"] = 0.3), "output.treshold (line 1, column " },
        { Mutated(n => Out(n)["treshold"] = 0.3), "is not a manifest field; the fields of output are name, activation, labels, threshold, calibration. Check the spelling." },
        { Mutated(n => n["labels"] = new JsonArray()), "labels (line 1, column " },
        { Mutated(n => n["labels"] = new JsonArray()), "the fields of the manifest are name, version, description, notice, model, input, output, dicom, heatmap, quantization." },
        { Valid[..^10], "the file is not valid JSON (line 7, column 80): Expected end of string, but instead reached end of data." },
        { "null", "the file holds JSON null instead of an object." },
        { Valid.Replace("\"threshold\": 0.5", "\"threshold\": 0.5, \"threshold\": 0.2"), "the file is not valid JSON" },
        { Valid.Replace("\"threshold\": 0.5", "\"threshold\": 0.5, \"threshold\": 0.2"), "Duplicate property 'threshold'" },
        { Valid.Replace("\"threshold\": 0.5", "\"threshold\": 0.5, \"threshold\": 0.2"), "the file is not valid JSON (line 7, column 100): Duplicate property 'threshold'" },
        { Valid.Replace("\"threshold\": 0.5", "\"threshold\": {\"Effusion\": 0.3, \"Effusion\": 0.2}"), "Duplicate property 'Effusion'" },
        { Valid.Replace("\"model.onnx\"", "\"x\\ud800.onnx\""), "the file is not valid JSON (line 2, column 73): " },
        { Mutated(n => n["notice"] = 5), "notice (line 1, column " },
        { Mutated(n => n["notice"] = 5), "has the wrong type; expected a string." },
        { Mutated(n => In(n)["mean"] = new JsonArray(0.5, null, 0.3)), "input.mean[1] (line 1, column " },
        { Mutated(n => Out(n)["threshold"] = new JsonObject { ["Effusion"] = new JsonArray(0.5) }), "output.threshold.Effusion is an array; expected a number from 0 to 1." },
        { "[1, 2]", "the manifest (line 1, column 2) has the wrong type; expected an object." },
        { Mutated(n => In(n)["grey"] = "mean"), "input.grey is \"mean\" but input.channels is 3; it says how colour becomes one channel, so leave it out for an RGB model." },
        { Mutated(n => In(n)["grey"] = "average"), "input.grey is \"average\"; expected \"luma\" (ITU-R 601-2 luma, as PIL's convert(\"L\")), \"mean\"" },
        { Mutated(n => In(n)["crop"] = "center-square"), "input.crop is \"center-square\" but input.resize is not \"skimage-linear\"" },
        { Mutated(n => In(n)["resize"] = "skimage-linear"), "input.interpolation is \"bilinear\" but input.resize \"skimage-linear\" interpolates as skimage does" },
        { Mutated(n => Out(n)["calibration"] = new JsonObject { ["thresholds"] = new JsonArray(0.1, 0.2, 0.3) }), "output.calibration.method is missing; expected \"op-norm\"" },
        { Mutated(n => Out(n)["calibration"] = new JsonObject { ["method"] = "platt", ["thresholds"] = new JsonArray(0.1, 0.2, 0.3) }), "output.calibration.method is \"platt\"; expected \"op-norm\"" },
        { Mutated(n => Out(n)["calibration"] = new JsonObject { ["method"] = "op-norm" }), "output.calibration.thresholds is missing; expected one operating point (or null) per output value, in label order." },
        { Mutated(n => Out(n)["calibration"] = new JsonObject { ["method"] = "op-norm", ["thresholds"] = new JsonArray(0.1, 0.2) }), "output.calibration.thresholds has 2 value(s) but output.labels has 3; expected one per label, null where there is none." },
        { Mutated(n => Out(n)["calibration"] = new JsonObject { ["method"] = "op-norm", ["thresholds"] = new JsonArray(0.1, 1, null) }), "output.calibration.thresholds[1] is 1; expected an operating point strictly between 0 and 1, or null." },
        { Mutated(n => Out(n)["calibration"] = new JsonObject { ["method"] = "op-norm", ["thresholds"] = new JsonArray(0.1, "0.2", null) }), "output.calibration.thresholds[1] (line 1, column " },
        { Mutated(n => Out(n)["calibration"] = new JsonObject { ["method"] = "op-norm", ["thresholds"] = new JsonArray(0.1, "0.2", null) }), "has the wrong type; expected an array of numbers or nulls, one per label." },
        { Mutated(n => Out(n)["labels"] = new JsonArray("", "")), "output.labels are all \"\"; at least one output value needs a label." },
    };

    [Theory]
    [MemberData(nameof(Problems))]
    public void NamesTheFieldAndTheValueOfEachProblem(string json, string expected)
    {
        var e = Refuse(json);
        Assert.True(e.Message.Contains(expected, StringComparison.Ordinal), $"expected \"{expected}\" in:\n{e.Message}");
    }

    [Fact]
    public void ReportsEveryProblemAtOnce()
    {
        var e = Refuse(Mutated(n =>
        {
            n.Remove("name");
            In(n)["channels"] = 2;
            In(n)["interpolation"] = "cubic";
            Out(n)["activation"] = "tanh";
            Out(n)["threshold"] = 7;
        }));
        var lines = e.Message.Split('\n').Where(l => l.StartsWith("  - ", StringComparison.Ordinal)).ToArray();
        Assert.Equal(5, lines.Length);
        Assert.Contains("MANIFEST.md", e.Message);
    }

    [Fact]
    public void AnUnreadableManifestIsAModelProblemNamingThePath()
    {
        using var dir = TestEnvironment.CreateTempDirectory();
        var path = dir.Combine("manifest.json");
        Directory.CreateDirectory(path); // exists, but cannot be read as a file

        var e = Assert.Throws<PlatformUnavailableException>(() => ModelManifest.Load(path));

        Assert.Equal("model", e.Component);
        Assert.Contains($"The model manifest {path} could not be read", e.Message);
    }
}
