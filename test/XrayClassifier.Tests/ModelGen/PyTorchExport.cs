using System.Text.Json;
using System.Text.Json.Serialization;
using XrayClassifier.Tests.TestHelpers;

namespace XrayClassifier.Tests.ModelGen;

/// <summary>
/// Models exported by PyTorch itself (Fixtures/pytorch/export_model.py run with /usr/bin/python3), so
/// tests can check a model exported the way users export theirs. Each model is exported once per test
/// run into a temp folder (removed at exit) and shared by every test that asks for it.
/// </summary>
public static class PyTorchExport
{
    private static readonly Lazy<string> s_folder = new(CreateFolder);
    private static readonly Lazy<PyTorchModel> s_denseNet = new(() => Export("densenet121"));
    private static readonly Lazy<PyTorchModel> s_tiny = new(() => Export("tiny"));
    private static readonly Lazy<PyTorchModel> s_xrv = new(() => Export("xrv-densenet121"));

    /// <summary>
    /// torchvision densenet121 with CheXNet's head (Linear(1024→14) + Sigmoid), seeded weights with
    /// non-identity batch-norms, eval mode, opset 13: input "input" float[batch_size,3,224,224], output
    /// "probabilities" float[batch_size,14]. The first call takes ~10–20 s.
    /// </summary>
    public static PyTorchModel DenseNet121() => s_denseNet.Value;

    /// <summary>
    /// torchxrayvision's DenseNet layout (one grey channel, features2's ReLU/pool/view(N, −1), Linear(1024→18) logits)
    /// built from torchvision, seeded weights: input "img" float[batch_size,1,224,224], output "logits" float[batch_size,18].
    /// </summary>
    public static PyTorchModel XrvDenseNet121() => s_xrv.Value;

    /// <summary>
    /// A tiny conv net exported the quick way (no names, no dynamic axes): input "input.1"
    /// float[1,1,32,48] (one grey channel), output 3 raw logits under the exporter's numeric name.
    /// </summary>
    public static PyTorchModel TinyConv() => s_tiny.Value;

    /// <summary>The export script in the test output folder.</summary>
    public static string ScriptPath => Path.Combine(AppContext.BaseDirectory, "Fixtures", "pytorch", "export_model.py");

    private static PyTorchModel Export(string name)
    {
        var folder = s_folder.Value;
        if (!File.Exists(ScriptPath)) throw new FileNotFoundException($"the export script is missing from the test output: {ScriptPath}");
        try
        {
            Python.RunFile(ScriptPath, TimeSpan.FromMinutes(5), folder, "--model", name);
        }
        catch (InvalidOperationException e)
        {
            throw new InvalidOperationException(
                $"exporting '{name}' with PyTorch failed. {Python.Interpreter} needs torch, torchvision and onnx " +
                "(Debian's python3-torch, python3-torchvision, python3-onnx): run tools/prerequisites.sh.\n" + e.Message, e);
        }
        var meta = JsonSerializer.Deserialize<ExportMetadata>(File.ReadAllText(Path.Combine(folder, name + ".json")))
            ?? throw new InvalidDataException($"{name}.json is empty");
        var dynamicBatch = Python.RunCode("""
            import sys, onnx
            m = onnx.load(sys.argv[1])
            print(m.graph.input[0].type.tensor_type.shape.dim[0].dim_param)
            """, Path.Combine(folder, meta.Model)).Trim() == "batch_size";
        return new PyTorchModel(
            Path.Combine(folder, meta.Model), meta.InputName, meta.OutputName, meta.InputShape, meta.OutputShape,
            Path.Combine(folder, meta.Input), Path.Combine(folder, meta.Expected), dynamicBatch);
    }

    private static string CreateFolder()
    {
        var folder = Path.Combine(Path.GetTempPath(), $"xray-pytorch-export-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try { Directory.Delete(folder, recursive: true); }
            catch (IOException) { }
        };
        return folder;
    }

    private sealed record ExportMetadata(
        [property: JsonPropertyName("model")] string Model,
        [property: JsonPropertyName("input_name")] string InputName,
        [property: JsonPropertyName("output_name")] string OutputName,
        [property: JsonPropertyName("input_shape")] long[] InputShape,
        [property: JsonPropertyName("output_shape")] long[] OutputShape,
        [property: JsonPropertyName("input")] string Input,
        [property: JsonPropertyName("expected")] string Expected);
}
