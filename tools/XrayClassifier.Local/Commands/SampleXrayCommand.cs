using System.CommandLine;
using System.Globalization;
using XrayClassifier.Function.Configuration;
using XrayClassifier.Function.Dicom.Writing;
using XrayClassifier.Function.Imaging;
using XrayClassifier.Function.Imaging.Vips;
using XrayClassifier.ModelGen;

namespace XrayClassifier.Local.Commands;

/// <summary>
/// <c>sample-xray OUT.jpg|OUT.png|OUT.dcm</c>: a synthetic chest radiograph at a real film's size, with what real
/// ones have — collimator borders, an "R" marker, burned-in view and date, grain — encoded by the same
/// libvips the function loads from the EFS folder (JPEG quality 90 by default, or 8-bit PNG), or as a modality's
/// DICOM file (<see cref="SampleDicom"/>). ModelGen draws it; no binary ships with the repository.
/// </summary>
internal static class SampleXrayCommand
{
    public static Command Create(TextWriter stderr, IEnvironmentVariables environment)
    {
        var output = LocalOptions.Positional("sample-xray", "OUT.jpg|OUT.png|OUT.dcm", "Where to write the radiograph.");
        var width = LocalOptions.WholeNumber("--width", 2048, 64, 8192, "Width in pixels.");
        var height = LocalOptions.WholeNumber("--height", 2500, 64, 8192, "Height in pixels.");
        var seed = LocalOptions.WholeNumber("--seed", 1, 0, int.MaxValue, "Which radiograph.");
        var quality = LocalOptions.WholeNumber("--quality", 90, 1, 100, "JPEG quality.");
        var efsRoot = LocalOptions.EfsRoot();
        var command = new Command("sample-xray", "Writes a synthetic chest radiograph, encoded by the function's own libvips.")
        {
            output, width, height, seed, quality, efsRoot,
        };
        command.SetAction(parsed => RunAsync(parsed.GetValue(output)!, parsed.GetValue(width), parsed.GetValue(height), parsed.GetValue(seed),
            parsed.GetValue(quality), parsed.GetValue(efsRoot), stderr, environment));
        return command;
    }

    private static async Task<int> RunAsync(string outPath, int width, int height, int seed, int quality, string? efsRoot,
        TextWriter stderr, IEnvironmentVariables environment)
    {
        var format = FileFormats.ForFileName(outPath);
        if (format != ImageFormat.Jpeg && format != ImageFormat.Png && format != ImageFormat.Dicom)
            throw new UsageException($"'{outPath}' must end in .jpg, .jpeg, .png or .dcm");
        if (format == ImageFormat.Dicom)
        {
            // The modality's own pixels (12 bits, no film artefacts: a detector's, not a scanned film's), no libvips.
            var file = SampleDicom.ChestRadiograph(width, height, seed, DicomUid.New(), DicomUid.New(), DicomUid.New());
            await WriteAsync(outPath, file).ConfigureAwait(false);
            await stderr.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"wrote {outPath} ({width}×{height} DX chest radiograph, 12-bit, {file.Length:N0} bytes; synthetic, a made-up patient)")).ConfigureAwait(false);
            return LocalCli.Success;
        }
        var local = LocalEnvironment.Resolve(efsRoot, environment);
        var layout = EfsLayout.From(XrayOptions.FromEnvironment(local));

        var film = FilmArtefacts.Apply(SampleImages.ChestXray(width, height, seed), seed).To8Bit();
        VipsRuntime.EnsureLoaded(layout.NativeDirectory);
        using var image = NetVips.Image.NewFromMemory(film, width, height, 1, NetVips.Enums.BandFormat.Uchar);
        var bytes = format == ImageFormat.Jpeg ? image.JpegsaveBuffer(q: quality) : image.PngsaveBuffer();
        await WriteAsync(outPath, bytes).ConfigureAwait(false);
        await stderr.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"wrote {outPath} ({width}×{height} grey {format.DisplayName}, {bytes.Length:N0} bytes; synthetic, not a patient's)")).ConfigureAwait(false);
        return LocalCli.Success;
    }

    private static async Task WriteAsync(string path, byte[] bytes)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        await File.WriteAllBytesAsync(path, bytes).ConfigureAwait(false);
    }
}
