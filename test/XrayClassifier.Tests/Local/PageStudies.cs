using System.Text.Json;
using XrayClassifier.Tests.TestHelpers;

namespace XrayClassifier.Tests.Local;

/// <summary>The studies the page's browser tests upload, written once per test class by make_page_studies.py (pydicom
/// and dcmtk for the DICOM files, Pillow for the 16-bit PNG and the TIFFs): 1900–2500 px chest radiograph look-alikes.</summary>
public sealed class PageStudies : IDisposable
{
    private readonly TempDirectory _directory = new("xray-page-studies");

    public PageStudies()
    {
        var script = Path.Combine(TestEnvironment.RepoRoot, "test", "XrayClassifier.Tests", "Local", "make_page_studies.py");
        using var files = JsonDocument.Parse(Python.Run(script, _directory.Path));
        var all = files.RootElement.EnumerateArray().ToList();
        Sizes = all.ToDictionary(f => f.GetProperty("name").GetString()!, f => (f.GetProperty("width").GetInt32(), f.GetProperty("height").GetInt32()));
        Dicom = all.Where(f => f.TryGetProperty("modality", out _)).ToDictionary(f => f.GetProperty("name").GetString()!,
            f => new WrittenDicom(f.GetProperty("modality").GetString()!, f.GetProperty("view").GetString()!, f.GetProperty("spacing").GetDouble()));
    }

    /// <summary>Each file's width and height in pixels, by name (mono1.dcm, mono2u16.dcm, lateral.dcm, xray16.png,
    /// xray.tif, xray16.tif).</summary>
    public IReadOnlyDictionary<string, (int Width, int Height)> Sizes { get; }

    /// <summary>What pydicom wrote into each DICOM file, by name.</summary>
    public IReadOnlyDictionary<string, WrittenDicom> Dicom { get; }

    public byte[] Bytes(string name) => File.ReadAllBytes(_directory.Combine(name));

    public void Dispose() => _directory.Dispose();
}

/// <summary>A DICOM study's Modality, ViewPosition and (square) PixelSpacing in mm, as written.</summary>
public sealed record WrittenDicom(string Modality, string View, double Spacing);
