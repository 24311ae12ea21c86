using System.Text.Json;
using XrayClassifier.Tests.TestHelpers;

namespace XrayClassifier.Tests.Imaging;

/// <summary>
/// Images for the torchxrayvision tests, each encoded losslessly for the pipeline and given raw to the
/// reference (Reference/torchxrayvision_reference.py: skimage, NumPy and torch on /usr/bin/python3), which
/// computes torchxrayvision's tensor for each case and, through a torchxrayvision-architecture DenseNet-121
/// with random weights exported to ONNX, its probabilities after sigmoid and op_norm.
/// </summary>
public sealed class TorchXrayVisionCorpus : IDisposable
{
    /// <summary>torchxrayvision's densenet121-res224-nih layout: 14 pathologies then four output slots with none.</summary>
    public static readonly string[] Labels =
    [
        "Atelectasis", "Consolidation", "Infiltration", "Pneumothorax", "Edema", "Emphysema", "Fibrosis", "Effusion",
        "Pneumonia", "Pleural_Thickening", "Cardiomegaly", "Nodule", "Mass", "Hernia", "", "", "", "",
    ];

    /// <summary>Its operating points (torchxrayvision models.py, model_urls['nih']); null where the slot has none.</summary>
    public static readonly double?[] OperatingPoints =
    [
        0.039117552, 0.0034529066, 0.11396341, 0.0057298196, 0.00045666535, 0.0018880932, 0.012037827, 0.038744126,
        0.0037213727, 0.014730946, 0.016149804, 0.054241467, 0.037198864, 0.0004403434, null, null, null, null,
    ];

    /// <param name="Name">Test case name.</param>
    /// <param name="Grey">"mean" (README) or "first" (load_image).</param>
    /// <param name="Crop">XRayCenterCrop before the resize.</param>
    public sealed record Case(string Name, Func<Samples> Source, Func<Samples, byte[]> Encode, int Orientation, string Grey, bool Crop, int Width = 224, int Height = 224);

    private static readonly Lazy<Samples> Grey = new(() => SyntheticXray.Grey16(600, 730, seed: 31));
    private static readonly Lazy<Samples> Rgb = new(() => SyntheticXray.Rgb16(600, 730, seed: 32));
    private static readonly Lazy<Samples> Wide = new(() => SyntheticXray.Rgb16(731, 402, seed: 33));
    private static readonly Lazy<Samples> Large = new(() => SyntheticXray.Grey16(1024, 1280, seed: 34));
    private static readonly Lazy<Samples> Small = new(() => SyntheticXray.Grey16(150, 120, seed: 35));
    private static readonly Lazy<Samples> Chest = new(() =>
        Samples.Of16(2048, 2500, 1, XrayClassifier.ModelGen.SampleImages.ChestXray(2048, 2500, seed: 36).Samples));

    public static readonly IReadOnlyList<Case> Cases =
    [
        new("png8-grey-600x730", () => Grey.Value.To8(), s => VipsEncoder.Png(s), 1, "mean", true),
        new("png16-grey-600x730", () => Grey.Value, s => VipsEncoder.Png(s, bitDepth: 16), 1, "mean", true),
        new("png8-rgb-600x730-mean", () => Rgb.Value.To8(), s => VipsEncoder.Png(s), 1, "mean", true),
        new("png8-rgb-600x730-first", () => Rgb.Value.To8(), s => VipsEncoder.Png(s), 1, "first", true),
        new("png16-rgb-600x730-mean", () => Rgb.Value, s => VipsEncoder.Png(s, bitDepth: 16), 1, "mean", true),
        new("png8-rgb-731x402-landscape", () => Wide.Value.To8(), s => VipsEncoder.Png(s), 1, "mean", true),
        new("png16-grey-1024x1280", () => Large.Value, s => VipsEncoder.Png(s, bitDepth: 16), 1, "mean", true),
        new("png8-chest-2048x2500", () => Chest.Value.To8(), s => VipsEncoder.Png(s), 1, "mean", true),
        new("png8-grey-150x120-enlarged", () => Small.Value.To8(), s => VipsEncoder.Png(s), 1, "mean", true),
        new("png8-grey-600x730-no-crop", () => Grey.Value.To8(), s => VipsEncoder.Png(s), 1, "mean", false),
        new("tiff8-grey-orientation-6", () => Grey.Value.To8(), s => VipsEncoder.Tiff(s, "none", orientation: 6), 6, "mean", true),
        new("tiff8-rgb-731x402-orientation-3", () => Wide.Value.To8(), s => VipsEncoder.Tiff(s, "none", orientation: 3), 3, "first", true),
        new("tiff8-rgb-731x402-orientation-8", () => Wide.Value.To8(), s => VipsEncoder.Tiff(s, "none", orientation: 8), 8, "mean", true),
    ];

    public static IEnumerable<object[]> CaseNames => Cases.Select(c => new object[] { c.Name });

    private readonly TempDirectory _dir = TestEnvironment.CreateTempDirectory("xray-xrv");
    private readonly Dictionary<string, byte[]> _encoded = new();
    private readonly Dictionary<string, float[]> _tensors = new();
    private readonly Dictionary<string, float[]> _probabilities = new();

    public TorchXrayVisionCorpus()
    {
        try
        {
            Build();
        }
        catch
        {
            _dir.Dispose();
            throw;
        }
    }

    /// <summary>The exported model: input "img" [batch, 1, 224, 224], output "logits" [batch, 18].</summary>
    public byte[] Onnx { get; private set; } = [];

    private void Build()
    {
        var preprocess = new List<Dictionary<string, object>>();
        for (int i = 0; i < Cases.Count; i++)
        {
            var c = Cases[i];
            var samples = c.Source();
            _encoded[c.Name] = c.Encode(samples);
            string raw = _dir.Combine($"case{i}.raw.npy");
            NpyFile.WriteSamples(raw, samples);
            preprocess.Add(new()
            {
                ["raw"] = raw, ["orientation"] = c.Orientation, ["grey"] = c.Grey, ["crop"] = c.Crop,
                ["width"] = c.Width, ["height"] = c.Height, ["out"] = _dir.Combine($"case{i}.npy"),
            });
        }
        var square = Enumerable.Range(0, Cases.Count).Where(i => Cases[i].Width == 224 && Cases[i].Height == 224).ToArray();
        var jobs = new Dictionary<string, object>
        {
            ["preprocess"] = preprocess,
            ["model"] = new Dictionary<string, object>
            {
                ["onnx"] = _dir.Combine("xrv-densenet121.onnx"),
                ["op_threshs"] = OperatingPoints,
                ["seed"] = 16,
                ["inputs"] = square.Select(i => _dir.Combine($"case{i}.npy")).ToArray(),
                ["outs"] = square.Select(i => _dir.Combine($"case{i}.probabilities.npy")).ToArray(),
            },
        };
        string jobsFile = _dir.Combine("jobs.json");
        File.WriteAllText(jobsFile, JsonSerializer.Serialize(jobs));
        Python.RunFile(
            Path.Combine(TestEnvironment.RepoRoot, "test", "XrayClassifier.Tests", "Imaging", "Reference", "torchxrayvision_reference.py"),
            TimeSpan.FromMinutes(5), jobsFile);

        for (int i = 0; i < Cases.Count; i++)
        {
            _tensors[Cases[i].Name] = NpyFile.ReadFloat32(_dir.Combine($"case{i}.npy")).Data;
            if (square.Contains(i)) _probabilities[Cases[i].Name] = NpyFile.ReadFloat32(_dir.Combine($"case{i}.probabilities.npy")).Data;
        }
        Onnx = File.ReadAllBytes(_dir.Combine("xrv-densenet121.onnx"));
    }

    public Case Get(string name) => Cases.Single(c => c.Name == name);

    public byte[] Encoded(string name) => _encoded[name];

    /// <summary>torchxrayvision's tensor, [1, 1, h, w].</summary>
    public float[] Tensor(string name) => _tensors[name];

    /// <summary>torch's probabilities after sigmoid and op_norm, one per output slot.</summary>
    public float[] Probabilities(string name) => _probabilities[name];

    public void Dispose() => _dir.Dispose();
}
