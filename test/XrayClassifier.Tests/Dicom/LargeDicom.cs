using XrayClassifier.Tests.Imaging;
using XrayClassifier.Tests.TestHelpers;

namespace XrayClassifier.Tests.Dicom;

/// <summary>A ~15 MB uncompressed 16-bit DICOM chest radiograph written by pydicom (Reference/make_large.py):
/// larger than API Gateway's 10 MB payload, for the S3 upload path's tests.</summary>
public static class LargeDicom
{
    /// <summary>Writes the file to <paramref name="path"/>; returns its rows and columns.</summary>
    public static (int Rows, int Columns) Write(string path, double megabytes = 15)
    {
        var script = Path.Combine(TestEnvironment.RepoRoot, "test", "XrayClassifier.Tests", "Dicom", "Reference", "make_large.py");
        var fields = Python.Run(script, path, megabytes.ToString(System.Globalization.CultureInfo.InvariantCulture)).Split(' ');
        return (int.Parse(fields[0], System.Globalization.CultureInfo.InvariantCulture), int.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture));
    }
}
