using System.Text.Json;
using XrayClassifier.Function.Imaging;
using XrayClassifier.Tests.Imaging;
using XrayClassifier.Tests.TestHelpers;

namespace XrayClassifier.Tests.Dicom;

/// <summary>
/// Writes the DICOM corpus once per test run with independent tools (pydicom, dcmtk, gdcm) and the
/// pydicom + NumPy reference of every file's first frame. Missing tools fail the run: the scripts exit
/// non-zero naming tools/prerequisites.sh, which <see cref="Python.Run"/> turns into an exception.
/// </summary>
public sealed class DicomCorpusFixture : IDisposable
{
    private readonly TempDirectory _directory = new("xray-dicom");

    public DicomCorpusFixture()
    {
        string scripts = System.IO.Path.Combine(TestEnvironment.RepoRoot, "test", "XrayClassifier.Tests", "Dicom", "Reference");
        Python.Run(System.IO.Path.Combine(scripts, "make_corpus.py"), _directory.Path);
        Python.Run(System.IO.Path.Combine(scripts, "reference.py"), _directory.Path);
        Python.Run(System.IO.Path.Combine(scripts, "make_refused.py"), _directory.Path);
        File.WriteAllText(Locate("specs.json"), JsonSerializer.Serialize(TensorSpecs.Select(s => new
        {
            key = s.Key, channels = s.Spec.Channels, height = s.Spec.Height, width = s.Spec.Width,
            resize = s.Spec.Resize.ToString().ToLowerInvariant(), interpolation = s.Spec.Interpolation.ToString().ToLowerInvariant(),
            mean = s.Spec.Mean, std = s.Spec.Std,
        })));
        Python.Run(System.IO.Path.Combine(scripts, "tensor_reference.py"), _directory.Path, Locate("specs.json"));
        using (var reference = JsonDocument.Parse(File.ReadAllText(Locate("reference.json"))))
            Entries = reference.RootElement.EnumerateArray().ToDictionary(e => e.GetProperty("name").GetString()!, e => e.Clone());
        using var refused = JsonDocument.Parse(File.ReadAllText(Locate("refused.json")));
        Refused = refused.RootElement.EnumerateArray().Select(e => e.Clone()).ToList();
    }

    /// <summary>reference.json by corpus name: file, rows, columns, frames, bits, photometric, VOI applied, transfer syntax.</summary>
    public IReadOnlyDictionary<string, JsonElement> Entries { get; }

    /// <summary>refused.json: file, expected reason, transfer syntax UID (when that is the reason).</summary>
    public IReadOnlyList<JsonElement> Refused { get; }

    /// <summary>The model inputs tensor_reference.py makes a PIL reference for: the handler tests' model (and the
    /// default model's) input, and a one-channel cover/bicubic input.</summary>
    public static readonly (string Key, PreprocessSpec Spec)[] TensorSpecs =
    [
        ("rgb224", FidelityCorpus.Rgb224),
        ("greycover", new PreprocessSpec(1, 256, 192, ResizeMode.Cover, Interpolation.Bicubic, [0.5f], [0.25f])),
    ];

    /// <summary>The pydicom + NumPy + PIL tensor for a corpus file, mapping and spec key, shape [1, C, H, W].</summary>
    public float[] Tensor(string name, string voi, string key) => NpyFile.ReadFloat32(Locate($"{name}.{voi}.{key}.npy")).Data;

    public string Locate(string file) => _directory.Combine(file);

    public byte[] Bytes(string file) => File.ReadAllBytes(Locate(file));

    public int[] Stored(string name) => ReadRaw<int>(name + ".stored.i32");

    public double[] Mapped(string name, string voi) => ReadRaw<double>($"{name}.{voi}.f64");

    private T[] ReadRaw<T>(string file) where T : struct =>
        System.Runtime.InteropServices.MemoryMarshal.Cast<byte, T>(File.ReadAllBytes(Locate(file))).ToArray();

    public void Dispose() => _directory.Dispose();
}
