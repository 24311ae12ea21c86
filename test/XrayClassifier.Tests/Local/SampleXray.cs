using XrayClassifier.ModelGen;

namespace XrayClassifier.Tests.Local;

/// <summary>A synthetic chest X-ray (ModelGen's generator) as PNG bytes, and as JPEG via Debian's Pillow
/// (no JPEG encoder in .NET here) — what a client would upload.</summary>
internal static class SampleXray
{
    public static byte[] Png(int size = 512, int seed = 7) =>
        PngWriter.Grey8(size, size, SampleImages.ChestXray(size, size, seed).To8Bit());

    public static void WriteJpeg(string path, int size = 512, int seed = 7)
    {
        var png = path + ".png";
        File.WriteAllBytes(png, Png(size, seed));
        var result = ProcessRunner.Run("/usr/bin/python3",
            ["-c", "import sys; from PIL import Image; Image.open(sys.argv[1]).save(sys.argv[2], 'JPEG', quality=90)", png, path],
            System.IO.Path.GetTempPath(), TimeSpan.FromMinutes(1));
        Assert.True(result.ExitCode == 0, "Pillow could not write the JPEG (tools/prerequisites.sh installs python3-pil): " + result.Stderr);
        File.Delete(png);
    }
}
