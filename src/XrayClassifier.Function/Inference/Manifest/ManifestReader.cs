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

    private static readonly Dictionary<string, string> s_expectedTypes = new(StringComparer.Ordinal)
    {
        ["$"] = "an object",
        ["$.name"] = "a string",
        ["$.version"] = "a string (write \"1\", not 1)",
        ["$.description"] = "a string",
        ["$.notice"] = "a string",
        ["$.model"] = "a string: the model file name",
        ["$.input"] = "an object",
        ["$.input.name"] = "a string",
        ["$.input.channels"] = "a whole number: 1 or 3",
        ["$.input.height"] = "a whole number of pixels",
        ["$.input.width"] = "a whole number of pixels",
        ["$.input.resize"] = "a string: stretch or cover",
        ["$.input.interpolation"] = "a string: nearest, bilinear, bicubic or lanczos3",
        ["$.input.mean"] = "an array of numbers, one per channel",
        ["$.input.std"] = "an array of numbers, one per channel",
        ["$.output"] = "an object",
        ["$.output.name"] = "a string",
        ["$.output.activation"] = "a string: none, sigmoid or softmax",
        ["$.output.labels"] = "an array of strings",
    };

    private static readonly Dictionary<string, string> s_knownFields = new(StringComparer.Ordinal)
    {
        ["$"] = "name, version, description, notice, model, input, output",
        ["$.input"] = "name, channels, height, width, resize, interpolation, mean, std",
        ["$.output"] = "name, activation, labels, threshold",
    };

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
        ManifestDocument? document;
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
        string? name = RequiredText(document.Name, "name", problems);
        string? version = RequiredText(document.Version, "version", problems);
        string? model = RequiredText(document.Model, "model", problems);
        string? notice = OptionalText(document.Notice, "notice", problems);
        if (model is not null && !IsInsideModelFolder(model))
            problems.Add($"model is \"{model}\"; expected a file name inside the model folder (no absolute path, no \"..\").");

        PreprocessSpec? input = null;
        string? inputName = null;
        if (document.Input is null) problems.Add("input is missing; expected an object with channels, height, width, mean and std.");
        else (input, inputName) = ReadInput(document.Input, problems);

        string[]? labels = null;
        string? outputName = null;
        var activation = OutputActivation.None;
        float defaultThreshold = ModelManifest.StandardThreshold;
        var labelThresholds = new Dictionary<string, float>(StringComparer.Ordinal);
        if (document.Output is null) problems.Add("output is missing; expected an object with activation and labels.");
        else (labels, outputName, activation, defaultThreshold) = ReadOutput(document.Output, labelThresholds, problems);

        if (problems.Count > 0) throw Invalid(source, problems);
        return new ModelManifest
        {
            Name = name!,
            Version = version!,
            Notice = notice,
            ModelFile = model!,
            InputName = inputName,
            OutputName = outputName,
            Input = input!,
            Activation = activation,
            Labels = labels!,
            DefaultThreshold = defaultThreshold,
            LabelThresholds = labelThresholds,
        };
    }

    private static (PreprocessSpec?, string?) ReadInput(ManifestInputSection section, List<string> problems)
    {
        string? name = OptionalText(section.Name, "input.name", problems);

        int? channels = section.Channels;
        if (channels is null) problems.Add("input.channels is missing; expected 1 (grey) or 3 (RGB).");
        else if (channels is not (1 or 3)) problems.Add($"input.channels is {channels}; expected 1 (grey) or 3 (RGB).");

        int? height = Side(section.Height, "input.height", problems);
        int? width = Side(section.Width, "input.width", problems);

        var resize = ResizeMode.Stretch;
        if (section.Resize is { } resizeText)
        {
            switch (resizeText)
            {
                case "stretch": resize = ResizeMode.Stretch; break;
                case "cover": resize = ResizeMode.Cover; break;
                default: problems.Add($"input.resize is \"{resizeText}\"; expected \"stretch\" (scale to width×height) or \"cover\" (shorter side to size, centre crop)."); break;
            }
        }

        var interpolation = Interpolation.Bilinear;
        if (section.Interpolation is { } interpolationText)
        {
            switch (interpolationText)
            {
                case "nearest": interpolation = Interpolation.Nearest; break;
                case "bilinear": interpolation = Interpolation.Bilinear; break;
                case "bicubic": interpolation = Interpolation.Bicubic; break;
                case "lanczos3": interpolation = Interpolation.Lanczos3; break;
                default: problems.Add($"input.interpolation is \"{interpolationText}\"; expected one of nearest, bilinear, bicubic, lanczos3."); break;
            }
        }

        float[]? mean = PerChannel(section.Mean, "input.mean", channels, problems, isStd: false);
        float[]? std = PerChannel(section.Std, "input.std", channels, problems, isStd: true);

        if (channels is null || height is null || width is null || mean is null || std is null) return (null, name);
        return (new PreprocessSpec(channels.Value, height.Value, width.Value, resize, interpolation, mean, std), name);
    }

    private static (string[]?, string?, OutputActivation, float) ReadOutput(
        ManifestOutputSection section, Dictionary<string, float> labelThresholds, List<string> problems)
    {
        string? name = OptionalText(section.Name, "output.name", problems);

        var activation = OutputActivation.None;
        switch (section.Activation)
        {
            case null: problems.Add("output.activation is missing; expected \"none\" (the model already outputs probabilities), \"sigmoid\" (multi-label logits) or \"softmax\" (single-label logits)."); break;
            case "none": activation = OutputActivation.None; break;
            case "sigmoid": activation = OutputActivation.Sigmoid; break;
            case "softmax": activation = OutputActivation.Softmax; break;
            default: problems.Add($"output.activation is \"{section.Activation}\"; expected one of none, sigmoid, softmax."); break;
        }

        string[]? labels = section.Labels;
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
                if (string.IsNullOrWhiteSpace(labels[i])) problems.Add($"output.labels[{i}] is empty; every label needs a name.");
                else if (!seen.Add(labels[i])) problems.Add($"output.labels[{i}] \"{labels[i]}\" appears twice; labels must be unique.");
            }
            if (activation == OutputActivation.Softmax && labels.Length == 1)
                problems.Add("output.activation is \"softmax\" over a single label, which always gives 1; use \"sigmoid\" for a single logit.");
        }

        float defaultThreshold = ModelManifest.StandardThreshold;
        if (section.Threshold is { } threshold)
        {
            if (threshold.Number is { } number) defaultThreshold = Probability(number, "output.threshold", problems) ?? defaultThreshold;
            else problems.Add($"output.threshold is {threshold.Kind}; expected a number from 0 to 1, or an object of per-label numbers (with an optional \"default\").");
        }
        if (section.LabelThresholds is not null)
        {
            foreach (var (label, value) in section.LabelThresholds)
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

    private static float? Probability(double d, string field, List<string> problems)
    {
        if (d is >= 0 and <= 1) return (float)d;
        problems.Add($"{field} is {d.ToString(CultureInfo.InvariantCulture)}; expected a probability from 0 to 1.");
        return null;
    }

    private static int? Side(int? value, string field, List<string> problems)
    {
        if (value is null) problems.Add($"{field} is missing; expected the model's input size in pixels.");
        else if (value is < 1 or > MaxSide) problems.Add($"{field} is {value}; expected 1 to {MaxSide} pixels.");
        else return value;
        return null;
    }

    private static float[]? PerChannel(double[]? values, string field, int? channels, List<string> problems, bool isStd)
    {
        string what = isStd ? "the standard deviation" : "the mean";
        if (values is null)
        {
            problems.Add($"{field} is missing; expected {what} of each channel on a 0–1 scale (ImageNet: {(isStd ? "[0.229, 0.224, 0.225]" : "[0.485, 0.456, 0.406]")}).");
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

    private static string? RequiredText(string? value, string field, List<string> problems)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            problems.Add($"{field} is {(value is null ? "missing" : "empty")}; expected a non-empty string.");
            return null;
        }
        return value;
    }

    private static string? OptionalText(string? value, string field, List<string> problems)
    {
        if (value is not null && string.IsNullOrWhiteSpace(value))
        {
            problems.Add($"{field} is empty; leave it out to use the model's own, or name the model's tensor.");
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
        if (e.UnknownField)
        {
            string known = s_knownFields.TryGetValue(e.Field, out var k) ? $"; the fields of {(e.Field == "$" ? "the manifest" : e.Field[2..])} are {k}" : "";
            return $"{field}{at} is not a manifest field{known}. Check the spelling.";
        }
        string expected = s_expectedTypes.TryGetValue(e.Field, out var t) ? $"; expected {t}" : "";
        return $"{field}{at} has the wrong type{expected}.";
    }

    private static PlatformUnavailableException Invalid(string source, IReadOnlyList<string> problems, Exception? inner = null) =>
        new("manifest",
            $"The model manifest {source} is not valid:" + string.Concat(problems.Select(p => "\n  - " + p)) +
            "\nFix the manifest (schema: src/XrayClassifier.Function/Inference/MANIFEST.md) and copy it to EFS again.",
            inner);
}
