using System.Text.Json;
using XrayClassifier.Tests.TestHelpers;

namespace XrayClassifier.Tests.Local;

/// <summary>The studies the page's browser tests upload, written once per test class by make_page_studies.py (pydicom
/// and dcmtk for the DICOM files, Pillow for the 16-bit PNG and the TIFF): 2000–2500 px chest radiograph look-alikes.</summary>
public sealed class PageStudies : IDisposable
{
    private readonly TempDirectory _directory = new("xray-page-studies");

    public PageStudies()
    {
        var script = Path.Combine(TestEnvironment.RepoRoot, "test", "XrayClassifier.Tests", "Local", "make_page_studies.py");
        using var files = JsonDocument.Parse(Python.Run(script, _directory.Path));
        Sizes = files.RootElement.EnumerateArray().ToDictionary(f => f.GetProperty("name").GetString()!, f => (f.GetProperty("width").GetInt32(), f.GetProperty("height").GetInt32()));
    }

    /// <summary>Each file's width and height in pixels, by name (mono1.dcm, mono2u16.dcm, xray16.png, xray.tif).</summary>
    public IReadOnlyDictionary<string, (int Width, int Height)> Sizes { get; }

    public byte[] Bytes(string name) => File.ReadAllBytes(_directory.Combine(name));

    public void Dispose() => _directory.Dispose();
}
