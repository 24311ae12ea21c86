using System.Text.Json;
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
        using (var reference = JsonDocument.Parse(File.ReadAllText(Locate("reference.json"))))
            Entries = reference.RootElement.EnumerateArray().ToDictionary(e => e.GetProperty("name").GetString()!, e => e.Clone());
        using var refused = JsonDocument.Parse(File.ReadAllText(Locate("refused.json")));
        Refused = refused.RootElement.EnumerateArray().Select(e => e.Clone()).ToList();
    }

    /// <summary>reference.json by corpus name: file, rows, columns, frames, bits, photometric, VOI applied, transfer syntax.</summary>
    public IReadOnlyDictionary<string, JsonElement> Entries { get; }

    /// <summary>refused.json: file, expected reason, transfer syntax UID (when that is the reason).</summary>
    public IReadOnlyList<JsonElement> Refused { get; }

    public string Locate(string file) => _directory.Combine(file);

    public byte[] Bytes(string file) => File.ReadAllBytes(Locate(file));

    public int[] Stored(string name) => ReadRaw<int>(name + ".stored.i32");

    public double[] Mapped(string name, string voi) => ReadRaw<double>($"{name}.{voi}.f64");

    private T[] ReadRaw<T>(string file) where T : struct =>
        System.Runtime.InteropServices.MemoryMarshal.Cast<byte, T>(File.ReadAllBytes(Locate(file))).ToArray();

    public void Dispose() => _directory.Dispose();
}
