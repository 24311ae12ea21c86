using System.CommandLine;
using XrayClassifier.Function.Configuration;
using XrayClassifier.Quantization;

namespace XrayClassifier.Local.Commands;

/// <summary>
/// <c>quantize MODEL_DIR --images DIR --out DIR</c>: the fp32 model in MODEL_DIR (its manifest.json and model file)
/// → an int8 QDQ model, its manifest and the agreement report in --out (XrayClassifier.Quantization does the work).
/// The images are preprocessed by the function's own pipeline and libvips from the EFS folder's runtime.
/// </summary>
internal static class QuantizeCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr, IEnvironmentVariables environment)
    {
        var model = LocalOptions.Positional("quantize", "MODEL_DIR", "The fp32 model's folder (manifest.json and its model).");
        var images = new Option<string>("--images") { Description = "Representative images to calibrate on (PNG, JPEG, TIFF, WebP, DICOM).", HelpName = "DIR", Required = true };
        var heldOut = new Option<string?>("--held-out") { Description = "Images for the agreement report only (default: every third of --images).", HelpName = "DIR" };
        var labels = new Option<string?>("--labels") { Description = "CSV of image,finding,0|1 for the held-out images: AUROC per finding.", HelpName = "FILE.csv" };
        var output = new Option<string>("--out") { Description = "Where to write model.onnx, manifest.json and agreement.{txt,json}.", HelpName = "DIR", Required = true };
        var efsRoot = LocalOptions.EfsRoot();
        var command = new Command("quantize", "Writes an int8 QDQ copy of an fp32 model, calibrated on images, with its agreement report.")
        {
            model, images, heldOut, labels, output, efsRoot,
        };
        command.SetAction(parsed =>
        {
            var modelDir = parsed.GetValue(model)!;
            if (!Directory.Exists(modelDir)) throw new UsageException($"model folder '{modelDir}' not found");
            foreach (var folder in new[] { parsed.GetValue(images), parsed.GetValue(heldOut) })
                if (folder is not null && !Directory.Exists(folder)) throw new UsageException($"image folder '{folder}' not found");
            if (parsed.GetValue(labels) is { } csv && !File.Exists(csv)) throw new UsageException($"labels file '{csv}' not found");
            var local = LocalEnvironment.Resolve(parsed.GetValue(efsRoot), environment);
            var layout = EfsLayout.From(XrayOptions.FromEnvironment(local));
            try
            {
                Quantizer.Run(new QuantizeRequest(modelDir, parsed.GetValue(images)!, parsed.GetValue(heldOut), parsed.GetValue(labels),
                    parsed.GetValue(output)!, layout.NativeDirectory), stdout);
                return LocalCli.Success;
            }
            catch (Exception e) when (e is UnsupportedModelException or InvalidDataException)
            {
                stderr.WriteLine($"error: {e.Message}");
                return LocalCli.ErrorAnswer;
            }
        });
        return command;
    }
}
