using System.Globalization;
using XrayClassifier.Function.Configuration;
using XrayClassifier.Function.Imaging;
using XrayClassifier.Function.Imaging.Vips;
using XrayClassifier.ModelGen;

namespace XrayClassifier.Local.Commands;

/// <summary>
/// <c>sample-xray OUT.jpg|OUT.png</c>: a synthetic chest radiograph at a real film's size, with what real
/// ones have — collimator borders, an "R" marker, burned-in view and date, grain — encoded by the same
/// libvips the function loads from the EFS folder (JPEG quality 90 by default, or 8-bit PNG). ModelGen
/// draws it; no binary ships with the repository.
/// </summary>
internal static class SampleXrayCommand
{
    public static async Task<int> RunAsync(CommandLine line, TextWriter stderr, IEnvironmentVariables environment)
    {
        var outPath = line.SinglePositional("an OUT.jpg or OUT.png path");
        var format = ImageFormat.ForFileName(outPath);
        if (format != ImageFormat.Jpeg && format != ImageFormat.Png) throw new UsageException($"'{outPath}' must end in .jpg, .jpeg or .png");
        int width = line.IntOption("width", 2048, 64, 8192);
        int height = line.IntOption("height", 2500, 64, 8192);
        int seed = line.IntOption("seed", 1, 0, int.MaxValue);
        int quality = line.IntOption("quality", 90, 1, 100);
        var local = LocalEnvironment.Resolve(line.Option("efs-root"), environment);
        var layout = EfsLayout.From(XrayOptions.FromEnvironment(local));

        var film = FilmArtefacts.Apply(SampleImages.ChestXray(width, height, seed), seed).To8Bit();
        VipsRuntime.EnsureLoaded(layout.NativeDirectory);
        using var image = NetVips.Image.NewFromMemory(film, width, height, 1, NetVips.Enums.BandFormat.Uchar);
        var bytes = format == ImageFormat.Jpeg ? image.JpegsaveBuffer(q: quality) : image.PngsaveBuffer();
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(outPath))!);
        await File.WriteAllBytesAsync(outPath, bytes).ConfigureAwait(false);
        await stderr.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"wrote {outPath} ({width}×{height} grey {format.DisplayName}, {bytes.Length:N0} bytes; synthetic, not a patient's)")).ConfigureAwait(false);
        return LocalCli.Success;
    }
}
