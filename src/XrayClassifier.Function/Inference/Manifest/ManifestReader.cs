using System.Globalization;
using System.Text.Json;
using System.Text;
using XrayClassifier.Function.Configuration;
using XrayClassifier.Function.Imaging;

namespace XrayClassifier.Function.Inference.Manifest;

/// <summary>
/// manifest.json → <see cref="ModelManifest"/>. Syntax and type errors stop at the first one (that is
/// where the JSON reader stops); everything after that is checked in full so one deploy shows every
/// problem. A bad manifest is the deployer's fault, not the caller's: it surfaces as
/// <see cref="PlatformUnavailableException"/> with component "manifest" (503).
/// </summary>
internal static class ManifestReader
{
    public const int MaxSide = 4096;

    public static ModelManifest Load(string path)
    {
        string json;
        try
        {
            json = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new PlatformUnavailableException("model",
                $"The model manifest {path} could not be read ({e.Message}). Copy the model folder (manifest.json and the model) to EFS again.", e);
        }
        return Parse(json, path);
    }

    public static ModelManifest Parse(string json, string source)
    {
        ManifestSection? document;
        try
        {
            document = ManifestJson.Read(Encoding.UTF8.GetBytes(json));
        }
        catch (JsonException e)
        {
            string at = e.LineNumber is long line ? $" (line {line + 1}, column {e.BytePositionInLine + 1})" : "";
            int cut = e.Message.IndexOf(" LineNumber:", StringComparison.Ordinal);
            throw Invalid(source, [$"the file is not valid JSON{at}: {(cut > 0 ? e.Message[..cut] : e.Message)}"], e);
        }
        catch (ManifestMappingException e)
        {
            throw Invalid(source, [Describe(e)], e);
        }
        if (document is null) throw Invalid(source, ["the file holds JSON null instead of an object."]);

        var problems = new List<string>();
        string? name = RequiredText(document, ManifestSchema.Name, problems);
        string? version = RequiredText(document, ManifestSchema.Version, problems);
        string? model = RequiredText(document, ManifestSchema.Model, problems);
        string? notice = OptionalText(document, ManifestSchema.Notice, problems);
        if (model is not null && !IsInsideModelFolder(model))
            problems.Add($"model is \"{model}\"; expected a file name inside the model folder (no absolute path, no \"..\").");

        PreprocessSpec? input = null;
        string? inputName = null;
        if (document.Section(ManifestSchema.Input.Section) is not { } inputSection) Missing(ManifestSchema.Input.Section, problems);
        else (input, inputName) = ReadInput(inputSection, problems);

        string[]? labels = null;
        string? outputName = null;
        var activation = OutputActivation.None;
        float defaultThreshold = ModelManifest.StandardThreshold;
        var labelThresholds = new Dictionary<string, float>(StringComparer.Ordinal);
        (CalibrationMethod, float[])? calibration = null;
        if (document.Section(ManifestSchema.Output.Section) is not { } outputSection) Missing(ManifestSchema.Output.Section, problems);
        else
        {
            (labels, outputName, activation, defaultThreshold) = ReadOutput(outputSection, labelThresholds, problems);
            calibration = ReadCalibration(outputSection, labels, problems);
        }

        var voi = XrayClassifier.Function.Dicom.VoiMode.None;
        if (document.Section(ManifestSchema.Dicom.Section) is { } dicomSection)
            voi = (XrayClassifier.Function.Dicom.VoiMode)Choose(dicomSection, ManifestSchema.Dicom.Voi, problems);
        string? heatmapFeatures = null, heatmapWeights = null, heatmapBias = null;
        if (document.Section(ManifestSchema.Heatmap.Section) is { } heatmapSection)
        {
            heatmapFeatures = RequiredText(heatmapSection, ManifestSchema.Heatmap.Features, problems);
            heatmapWeights = RequiredText(heatmapSection, ManifestSchema.Heatmap.Weights, problems);
            heatmapBias = OptionalText(heatmapSection, ManifestSchema.Heatmap.Bias, problems);
        }

        ModelQuantization? quantization = null;
        if (document.Section(ManifestSchema.Quantization.Section) is { } quantizationSection)
            quantization = ReadQuantization(quantizationSection, problems);

        if (problems.Count > 0) throw Invalid(source, problems);
        return new ModelManifest
        {
            Quantization = quantization,
            HeatmapFeatures = heatmapFeatures,
            HeatmapWeights = heatmapWeights,
            HeatmapBias = heatmapBias,
            Name = name!,
            Version = version!,
            Notice = notice,
            ModelFile = model!,
            InputName = inputName,
            OutputName = outputName,
            Input = input! with { DicomVoi = voi },
            Activation = activation,
            Labels = labels!,
            DefaultThreshold = defaultThreshold,
            LabelThresholds = labelThresholds,
            Calibration = calibration?.Item1,
            OperatingPoints = calibration?.Item2,
        };
    }

    private static (PreprocessSpec?, string?) ReadInput(ManifestSection section, List<string> problems)
    {
        string? name = OptionalText(section, ManifestSchema.Input.Name, problems);

        int? channels = section.WholeNumber(ManifestSchema.Input.Channels);
        if (channels is null) Missing(ManifestSchema.Input.Channels, problems);
        else if (ManifestSchema.Input.Channels.Choice(channels.Value.ToString(CultureInfo.InvariantCulture)) is null)
            problems.Add($"input.channels is {channels}; expected {ManifestSchema.Input.Channels.ExpectedChoice}.");

        int? height = Side(section, ManifestSchema.Input.Height, problems);
        int? width = Side(section, ManifestSchema.Input.Width, problems);

        var grey = (GreyConversion)Choose(section, ManifestSchema.Input.Grey, problems);
        if (section.Text(ManifestSchema.Input.Grey) is { } greyText && channels == 3)
            problems.Add($"input.grey is \"{greyText}\" but input.channels is 3; it says how colour becomes one channel, so leave it out for an RGB model.");
        var crop = (CropMode)Choose(section, ManifestSchema.Input.Crop, problems);
        var resize = (ResizeMode)Choose(section, ManifestSchema.Input.Resize, problems);
        var interpolation = (Interpolation)Choose(section, ManifestSchema.Input.Interpolation, problems);
        // The PIL-exact path converts colour as PIL does and crops as torchvision does; the torchxrayvision steps come together.
        if (resize != ResizeMode.SkimageLinear && (grey != GreyConversion.Luma || crop != CropMode.None))
            problems.Add($"input.{(crop != CropMode.None ? "crop" : "grey")} is \"{section.Text(crop != CropMode.None ? ManifestSchema.Input.Crop : ManifestSchema.Input.Grey)}\" but input.resize is not \"skimage-linear\"; torchxrayvision's colour and crop steps are implemented with its resize only.");
        if (resize == ResizeMode.SkimageLinear && section.Text(ManifestSchema.Input.Interpolation) is { } interpolationText)
            problems.Add($"input.interpolation is \"{interpolationText}\" but input.resize \"skimage-linear\" interpolates as skimage does (first order, Gaussian anti-aliasing); leave interpolation out.");

        float[]? mean = PerChannel(section, ManifestSchema.Input.Mean, channels, problems, isStd: false);
        float[]? std = PerChannel(section, ManifestSchema.Input.Std, channels, problems, isStd: true);

        if (channels is null || height is null || width is null || mean is null || std is null) return (null, name);
        return (new PreprocessSpec(channels.Value, height.Value, width.Value, resize, interpolation, mean, std) { Grey = grey, Crop = crop }, name);
    }

    private static (string[]?, string?, OutputActivation, float) ReadOutput(
        ManifestSection section, Dictionary<string, float> labelThresholds, List<string> problems)
    {
        string? name = OptionalText(section, ManifestSchema.Output.Name, problems);

        var activation = OutputActivation.None;
        if (section.Text(ManifestSchema.Output.Activation) is null) Missing(ManifestSchema.Output.Activation, problems);
        else activation = (OutputActivation)Choose(section, ManifestSchema.Output.Activation, problems);

        string[]? labels = section.Texts(ManifestSchema.Output.Labels);
        if (labels is null || labels.Length == 0)
        {
            problems.Add("output.labels is missing or empty; expected one label per model output value, in output order.");
            labels = null;
        }
        else
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (int i = 0; i < labels.Length; i++)
            {
                // Exactly "" is an output slot with no label (torchxrayvision's models have them); blanks are mistakes.
                if (labels[i] is "") continue;
                if (string.IsNullOrWhiteSpace(labels[i])) problems.Add($"output.labels[{i}] is empty; every label needs a name (or exactly \"\" for an output value that is no label).");
                else if (!seen.Add(labels[i])) problems.Add($"output.labels[{i}] \"{labels[i]}\" appears twice; labels must be unique.");
            }
            if (seen.Count == 0 && Array.TrueForAll(labels, l => l is ""))
                problems.Add("output.labels are all \"\"; at least one output value needs a label.");
            if (activation == OutputActivation.Softmax && labels.Length == 1)
                problems.Add("output.activation is \"softmax\" over a single label, which always gives 1; use \"sigmoid\" for a single logit.");
        }

        float defaultThreshold = ModelManifest.StandardThreshold;
        object? thresholdValue = section.Value(ManifestSchema.Output.Threshold);
        if (thresholdValue is ManifestValue threshold)
        {
            if (threshold.Number is { } number) defaultThreshold = Probability(number, "output.threshold", problems) ?? defaultThreshold;
            else problems.Add($"output.threshold is {threshold.Kind}; expected a number from 0 to 1, or an object of per-label numbers (with an optional \"default\").");
        }
        if (thresholdValue is List<KeyValuePair<string, ManifestValue>> perLabel)
        {
            foreach (var (label, value) in perLabel)
            {
                string field = $"output.threshold.{label}";
                if (value.Number is not { } number)
                {
                    problems.Add($"{field} is {value.Kind}; expected a number from 0 to 1.");
                    continue;
                }
                if (Probability(number, field, problems) is not { } probability) continue;
                if (label == "default") defaultThreshold = probability;
                else if (labels is not null && Array.IndexOf(labels, label) < 0)
                    problems.Add($"{field}: \"{label}\" is not one of output.labels; expected a label name or \"default\".");
                else labelThresholds[label] = probability;
            }
        }

        return (labels, name, activation, defaultThreshold);
    }

    /// <summary>"output.calibration", or null when left out.</summary>
    private static (CalibrationMethod, float[])? ReadCalibration(ManifestSection output, string[]? labels, List<string> problems)
    {
        if (output.Section(ManifestSchema.Output.Calibration.Section) is not { } section) return null;
        var method = CalibrationMethod.OpNorm;
        if (section.Text(ManifestSchema.Output.Calibration.Method) is null) Missing(ManifestSchema.Output.Calibration.Method, problems);
        else method = (CalibrationMethod)Choose(section, ManifestSchema.Output.Calibration.Method, problems);

        var field = ManifestSchema.Output.Calibration.Thresholds;
        if (section.Numbers(field) is not { } values)
        {
            Missing(field, problems);
            return null;
        }
        bool ok = true;
        if (labels is not null && values.Length != labels.Length)
        {
            problems.Add($"{field.Display} has {values.Length} value(s) but output.labels has {labels.Length}; expected one per label, null where there is none.");
            ok = false;
        }
        for (int i = 0; i < values.Length; i++)
        {
            // op_norm divides by 2t and by 2(1 − t): 0 and 1 would divide by zero.
            if (double.IsNaN(values[i]) || values[i] is > 0 and < 1) continue;
            problems.Add($"{field.Display}[{i}] is {values[i].ToString(CultureInfo.InvariantCulture)}; expected an operating point strictly between 0 and 1, or null.");
            ok = false;
        }
        if (!ok) return null;
        var thresholds = new float[values.Length];
        for (int i = 0; i < values.Length; i++) thresholds[i] = (float)values[i];
        return (method, thresholds);
    }

    private static ModelQuantization? ReadQuantization(ManifestSection section, List<string> problems)
    {
        if (section.Text(ManifestSchema.Quantization.Precision) is null) Missing(ManifestSchema.Quantization.Precision, problems);
        else Choose(section, ManifestSchema.Quantization.Precision, problems);
        string? sha = RequiredText(section, ManifestSchema.Quantization.SourceSha256, problems);
        if (sha is not null && (sha.Length != 64 || !sha.All(char.IsAsciiHexDigit)))
            problems.Add($"{ManifestSchema.Quantization.SourceSha256.Display} is \"{(sha.Length > 70 ? sha[..70] + "…" : sha)}\"; expected 64 hex digits.");
        int? images = section.WholeNumber(ManifestSchema.Quantization.CalibrationImages);
        if (images is null) Missing(ManifestSchema.Quantization.CalibrationImages, problems);
        else if (images < 1) problems.Add($"{ManifestSchema.Quantization.CalibrationImages.Display} is {images}; expected at least 1.");
        string? agreement = RequiredText(section, ManifestSchema.Quantization.Agreement, problems);
        return sha is null || images is null || agreement is null ? null : new ModelQuantization("int8", sha, images.Value, agreement);
    }

    private static float? Probability(double d, string field, List<string> problems)
    {
        if (d is >= 0 and <= 1) return (float)d;
        problems.Add($"{field} is {d.ToString(CultureInfo.InvariantCulture)}; expected a probability from 0 to 1.");
        return null;
    }

    private static int? Side(ManifestSection section, ManifestField field, List<string> problems)
    {
        int? value = section.WholeNumber(field);
        if (value is null) Missing(field, problems);
        else if (value is < 1 or > MaxSide) problems.Add($"{field.Display} is {value}; expected 1 to {MaxSide} pixels.");
        else return value;
        return null;
    }

    /// <summary>The code of the field's choice, its default when left out; an unknown value is a problem (and the default).</summary>
    private static int Choose(ManifestSection section, ManifestField field, List<string> problems)
    {
        if (section.Text(field) is not { } text) return field.DefaultChoice.Code;
        if (field.Choice(text) is { } choice) return choice.Code;
        problems.Add($"{field.Display} is \"{text}\"; expected {field.ExpectedChoice}.");
        return field.Default is null ? field.Choices[0].Code : field.DefaultChoice.Code;
    }

    private static void Missing(ManifestField field, List<string> problems) =>
        problems.Add($"{field.Display} is missing; expected {field.ExpectedWhenMissing}.");

    private static float[]? PerChannel(ManifestSection section, ManifestField schema, int? channels, List<string> problems, bool isStd)
    {
        string field = schema.Display;
        if (section.Numbers(schema) is not { } values)
        {
            Missing(schema, problems);
            return null;
        }
        bool ok = true;
        if (channels is 1 or 3 && values.Length != channels)
        {
            problems.Add($"{field} has {values.Length} value(s) but input.channels is {channels}; expected one value per channel.");
            ok = false;
        }
        for (int i = 0; i < values.Length; i++)
        {
            if (!double.IsFinite(values[i])) { problems.Add($"{field}[{i}] is not a finite number."); ok = false; }
            else if (isStd && values[i] == 0) { problems.Add($"{field}[{i}] is 0; a standard deviation divides, so it must not be 0."); ok = false; }
        }
        if (!ok) return null;
        var result = new float[values.Length];
        for (int i = 0; i < values.Length; i++) result[i] = (float)values[i];
        return result;
    }

    private static string? RequiredText(ManifestSection section, ManifestField field, List<string> problems)
    {
        string? value = section.Text(field);
        if (string.IsNullOrWhiteSpace(value))
        {
            problems.Add($"{field.Display} is {(value is null ? "missing" : "empty")}; expected {field.ExpectedWhenMissing}.");
            return null;
        }
        return value;
    }

    private static string? OptionalText(ManifestSection section, ManifestField field, List<string> problems)
    {
        string? value = section.Text(field);
        if (value is not null && string.IsNullOrWhiteSpace(value))
        {
            problems.Add($"{field.Display} is empty; leave it out to use the model's own, or name the model's tensor.");
            return null;
        }
        return value;
    }

    private static bool IsInsideModelFolder(string file) =>
        !Path.IsPathRooted(file) && !file.Split('/', '\\').Contains("..") && file.Trim().Length > 0;

    private static string Describe(ManifestMappingException e)
    {
        string at = $" (line {e.Line + 1}, column {e.Column + 1})";
        string field = e.Path == "$" ? "the manifest" : e.Path[2..];
        var schema = Find(e.Field);
        if (e.UnknownField)
        {
            string known = schema is null ? "" : $"; the fields of {schema.Display} are {string.Join(", ", schema.Fields.Select(f => f.Name))}";
            return $"{field}{at} is not a manifest field{known}. Check the spelling.";
        }
        string expected = schema is null ? "" : $"; expected {schema.ExpectedType}";
        return $"{field}{at} has the wrong type{expected}.";
    }

    /// <summary>The schema's field at <paramref name="path"/> (no array indices), or null.</summary>
    private static ManifestField? Find(string path)
    {
        var field = ManifestSchema.Root;
        if (path == field.Path) return field;
        foreach (string name in path[2..].Split('.'))
        {
            field = field.Fields.FirstOrDefault(f => f.Name == name);
            if (field is null) return null;
        }
        return field;
    }

    private static PlatformUnavailableException Invalid(string source, IReadOnlyList<string> problems, Exception? inner = null) =>
        new("manifest",
            $"The model manifest {source} is not valid:" + string.Concat(problems.Select(p => "\n  - " + p)) +
            "\nFix the manifest (schema: src/XrayClassifier.Function/Inference/MANIFEST.md) and copy it to EFS again.",
            inner);
}
