using System.Globalization;
using System.Text;
using XrayClassifier.Function.Imaging;
using static XrayClassifier.Function.Inference.Manifest.ManifestField;
using static XrayClassifier.Function.Inference.Manifest.ManifestValueKind;
using VoiMode = XrayClassifier.Function.Dicom.VoiMode;

namespace XrayClassifier.Function.Inference.Manifest;

/// <summary>
/// The one description of manifest.json: every field with its path, type, allowed values, default, whether it
/// is required and what it means. <see cref="ManifestJson"/> reads by it, <see cref="ManifestReader"/> takes
/// its messages, choices and defaults from it, and MANIFEST.md's field table is generated from it
/// (by ManifestSchemaTests, which holds the file equal). Rules that span fields (one mean per channel,
/// thresholds naming labels) stay in the reader.
/// </summary>
internal static class ManifestSchema
{
    public static readonly ManifestField Name = Value("$.name", Text, "a string",
        "The model's name, reported with every classification.", required: true, expects: "a non-empty string");

    public static readonly ManifestField Version = Value("$.version", Text, "a string (write \"1\", not 1)",
        "The model's version (`\"1\"`, not `1`), reported with every classification.", required: true, expects: "a non-empty string");

    public static readonly ManifestField Description = Value("$.description", Text, "a string",
        "Free text for people; ignored by the function.");

    public static readonly ManifestField Notice = Value("$.notice", Text, "a string",
        "A caveat returned with every answer as `model.notice` and in `/health` (the default model says it is untrained).");

    public static readonly ManifestField Model = Value("$.model", Text, "a string: the model file name",
        "The ONNX file, relative to the model folder (no absolute path, no `..`).", required: true, expects: "a non-empty string");

    /// <summary>"input": the model's input tensor and how an image becomes it.</summary>
    public static class Input
    {
        public static readonly ManifestField Name = Value("$.input.name", Text, "a string",
            "The graph input to feed.", defaultValue: "the model's only input");

        public static readonly ManifestField Channels = Value("$.input.channels", WholeNumber, "a whole number",
            "Channels of the input tensor.", required: true,
            choices: [new("1", "grey", 1), new("3", "RGB", 3)]);

        public static readonly ManifestField Height = Value("$.input.height", WholeNumber, "a whole number of pixels",
            $"The input height in pixels (1–{ManifestReader.MaxSide}); must equal the model's unless that is dynamic.",
            required: true, expects: "the model's input size in pixels");

        public static readonly ManifestField Width = Value("$.input.width", WholeNumber, "a whole number of pixels",
            $"The input width in pixels (1–{ManifestReader.MaxSide}); must equal the model's unless that is dynamic.",
            required: true, expects: "the model's input size in pixels");

        public static readonly ManifestField Grey = Value("$.input.grey", Text, "a string",
            "How a colour image becomes the one channel of a 1-channel model (grey images are used as they are).", defaultValue: "luma",
            choices:
            [
                new("luma", "ITU-R 601-2 luma, as PIL's convert(\"L\")", (int)GreyConversion.Luma),
                new("mean", "the mean of R, G and B, as torchxrayvision's README", (int)GreyConversion.Mean),
                new("first", "the first channel, as torchxrayvision's load_image", (int)GreyConversion.First),
            ]);

        public static readonly ManifestField Crop = Value("$.input.crop", Text, "a string",
            "What is cut from the image before it is resized.", defaultValue: "none",
            choices:
            [
                new("none", "the whole image", (int)CropMode.None),
                new("center-square", "the centred square on the shorter side, offsets side//2 − short//2, as torchxrayvision's XRayCenterCrop", (int)CropMode.CenterSquare),
            ]);

        public static readonly ManifestField Resize = Value("$.input.resize", Text, "a string",
            "How the image is fitted to width×height (torchvision: `Resize((h, w))`, or `Resize(s)` + `CenterCrop(s)`).", defaultValue: "stretch",
            choices:
            [
                new("stretch", "scale to width×height", (int)ResizeMode.Stretch),
                new("cover", "shorter side to size, centre crop", (int)ResizeMode.Cover),
                new("skimage-linear", "scale to width×height as torchxrayvision's XRayResizer: skimage's resize, first order, " +
                    "Gaussian anti-aliasing, 0 beyond the edges of the normalised image", (int)ResizeMode.SkimageLinear),
            ]);

        public static readonly ManifestField Interpolation = Value("$.input.interpolation", Text, "a string",
            "The resampling kernel (PIL's) of `stretch` and `cover`.", defaultValue: "bilinear",
            choices:
            [
                new("nearest", null, (int)Imaging.Interpolation.Nearest),
                new("bilinear", null, (int)Imaging.Interpolation.Bilinear),
                new("bicubic", null, (int)Imaging.Interpolation.Bicubic),
                new("lanczos3", null, (int)Imaging.Interpolation.Lanczos3),
            ]);

        public static readonly ManifestField Mean = Value("$.input.mean", Numbers, "an array of numbers, one per channel",
            "One number per channel on a 0–1 pixel scale; each value becomes `(pixel/max − mean[c]) / std[c]`.", required: true,
            expects: "the mean of each channel on a 0–1 scale (ImageNet: [0.485, 0.456, 0.406])");

        public static readonly ManifestField Std = Value("$.input.std", Numbers, "an array of numbers, one per channel",
            "One number per channel on a 0–1 pixel scale, the divisor above; must not be 0.", required: true,
            expects: "the standard deviation of each channel on a 0–1 scale (ImageNet: [0.229, 0.224, 0.225])");

        public static readonly ManifestField Section = Object("$.input",
            "The model's input tensor and how an image becomes it.", required: true,
            [Name, Channels, Height, Width, Grey, Crop, Resize, Interpolation, Mean, Std]);
    }

    /// <summary>"output": the model's output tensor and what its values mean.</summary>
    public static class Output
    {
        public static readonly ManifestField Name = Value("$.output.name", Text, "a string",
            "The graph output holding the scores.", defaultValue: "the model's first output");

        public static readonly ManifestField Activation = Value("$.output.activation", Text, "a string",
            "What turns the output values into probabilities.", required: true,
            choices:
            [
                new("none", "the model already outputs probabilities", (int)OutputActivation.None),
                new("sigmoid", "multi-label logits", (int)OutputActivation.Sigmoid),
                new("softmax", "single-label logits", (int)OutputActivation.Softmax),
            ]);

        public static readonly ManifestField Labels = Value("$.output.labels", Texts, "an array of strings",
            "One name per output value, in output order; names are unique, and `\"\"` marks a value that is no label " +
            "(left out of answers, as torchxrayvision's empty pathology slots).", required: true);

        public static readonly ManifestField Threshold = Value("$.output.threshold", NumberOrLabelNumbers,
            "a number from 0 to 1, or an object of per-label numbers",
            "The probability at or above which a label is reported as a finding: one number for every label, or per label " +
            "with an optional `\"default\"`, e.g. `{\"default\": 0.5, \"Hernia\": 0.2}`; keys must be labels or `\"default\"`.",
            defaultValue: ModelManifest.StandardThreshold.ToString(CultureInfo.InvariantCulture));

        /// <summary>"output.calibration": probabilities remapped after the activation.</summary>
        public static class Calibration
        {
            public static readonly ManifestField Method = Value("$.output.calibration.method", Text, "a string",
                "How probabilities are remapped.", required: true,
                choices: [new("op-norm", "each label's operating point t becomes 0.5: p < t gives p/(2t), otherwise 1 − (1−p)/(2(1−t)); " +
                    "a label without one gives 0.5 (torchxrayvision's op_norm)", (int)CalibrationMethod.OpNorm)]);

            public static readonly ManifestField Thresholds = Value("$.output.calibration.thresholds", NumbersOrNulls,
                "an array of numbers or nulls, one per label",
                "Each label's operating point, strictly between 0 and 1, in label order; `null` for none.", required: true,
                expects: "one operating point (or null) per output value, in label order");

            public static readonly ManifestField Section = Object("$.output.calibration",
                "Probabilities remapped after the activation, before thresholds apply; left out, they are used as they are.", required: false,
                [Method, Thresholds]);
        }

        public static readonly ManifestField Section = Object("$.output",
            "The model's output tensor and what its values mean.", required: true,
            [Name, Activation, Labels, Threshold, Calibration.Section]);
    }

    /// <summary>"dicom": how a DICOM upload's stored values become the image the input steps start from.</summary>
    public static class Dicom
    {
        public static readonly ManifestField Voi = Value("$.dicom.voi", Text, "a string",
            "How the classified frame's stored values become greys on 0–1; then it goes through the input steps as an image " +
            "(BitsStored ≤ 8 with `none`: as an 8-bit grey PNG; otherwise in floating point, as 16-bit PNGs).", defaultValue: "none",
            choices:
            [
                new("none", "(stored − smallest storable value) / (2^BitsStored − 1), MONOCHROME1 inverted, as torchxrayvision's read_xray_dcm", (int)VoiMode.None),
                new("window", "the Modality LUT (RescaleSlope/Intercept or its sequence), then the file's first VOI LUT Sequence item or first " +
                    "WindowCenter/WindowWidth with its VOILUTFunction (LINEAR, LINEAR_EXACT, SIGMOID; DICOM PS3.3 C.11.2.1.2), MONOCHROME1 inverted " +
                    "after it; a file without a VOI is mapped as `none` and the answer warns `voi-fallback`", (int)VoiMode.Window),
            ]);

        public static readonly ManifestField Section = Object("$.dicom",
            "How DICOM uploads become images; left out, its fields take their defaults.", required: false, [Voi]);
    }

    /// <summary>"heatmap": where the class activation maps' parts are, for heads the automatic search does not recognise.</summary>
    public static class Heatmap
    {
        public static readonly ManifestField Features = Value("$.heatmap.features", Text, "a string: a value name in the graph",
            "The last feature map before global pooling, float [1, K, H, W] (made an output of the session's graph).", required: true,
            expects: "the name of the feature map value in the model's graph");

        public static readonly ManifestField Weights = Value("$.heatmap.weights", Text, "a string: an initializer name",
            "The classifier's float weights, [labels, K] (PyTorch Linear's layout) or [K, labels].", required: true,
            expects: "the name of the classifier's weight initializer");

        public static readonly ManifestField Bias = Value("$.heatmap.bias", Text, "a string: an initializer name",
            "The classifier's float bias, one per label.", defaultValue: "no bias (0)");

        public static readonly ManifestField Section = Object("$.heatmap",
            "Where the class activation maps' feature map and classifier are; left out, they are found in the graph " +
            "(global average pooling or ReduceMean over H and W, optional Flatten/Reshape/Squeeze, Gemm or MatMul + Add, " +
            "optional Sigmoid/Softmax).", required: false,
            [Features, Weights, Bias]);
    }

    /// <summary>"quantization": where an int8 model came from and how closely it agrees with its fp32 source (written by `quantize`).</summary>
    public static class Quantization
    {
        public static readonly ManifestField Precision = Value("$.quantization.precision", Text, "a string",
            "The model's arithmetic; added to the model's name in every answer and in `/health` (`name (int8)`).", required: true,
            choices: [new("int8", "int8 weights, uint8 activations (QDQ)", 1)]);

        public static readonly ManifestField SourceSha256 = Value("$.quantization.sourceSha256", Text, "a string: 64 hex digits",
            "SHA-256 of the fp32 model file it was made from.", required: true, expects: "the fp32 model file's SHA-256");

        public static readonly ManifestField CalibrationImages = Value("$.quantization.calibrationImages", WholeNumber, "a whole number",
            "How many images the activation ranges were calibrated on.", required: true, expects: "the calibration set's size");

        public static readonly ManifestField Agreement = Value("$.quantization.agreement", Text, "a string",
            "The agreement report's headline against fp32 on held-out images (agreement.json beside the model has every figure).",
            required: true, expects: "the agreement report's headline");

        public static readonly ManifestField Section = Object("$.quantization",
            "Present on a quantised model only: its provenance and headline agreement with the fp32 model.", required: false,
            [Precision, SourceSha256, CalibrationImages, Agreement]);
    }

    /// <summary>The whole file.</summary>
    public static readonly ManifestField Root = Object("$", "The manifest.", required: true,
        [Name, Version, Description, Notice, Model, Input.Section, Output.Section, Dicom.Section, Heatmap.Section, Quantization.Section]);
}
