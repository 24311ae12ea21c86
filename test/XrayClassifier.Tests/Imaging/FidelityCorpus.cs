using System.Text.Json;
using XrayClassifier.Function.Imaging;
using XrayClassifier.Tests.TestHelpers;

namespace XrayClassifier.Tests.Imaging;

/// <summary>
/// Every format, bit depth, channel layout, orientation and size the product accepts, encoded by libvips
/// (through the binding) and by PIL, plus the Python reference tensor for each (image, spec) case. Built
/// once per test class: one PIL encoding run and one reference run for all cases.
/// </summary>
public sealed class FidelityCorpus : IDisposable
{
    private static string ReferenceFolder => Path.Combine(TestEnvironment.RepoRoot, "test", "XrayClassifier.Tests", "Imaging", "Reference");
    private static string ReferenceScript => Path.Combine(ReferenceFolder, "reference_pipeline.py");
    private static string RadiographScript => Path.Combine(ReferenceFolder, "make_radiographs.py");
    private static string EncoderScript => Path.Combine(ReferenceFolder, "encode_with_pil.py");

    public static readonly PreprocessSpec Rgb224 = new(3, 224, 224, ResizeMode.Stretch, Interpolation.Bilinear, [0.485f, 0.456f, 0.406f], [0.229f, 0.224f, 0.225f]);
    public static readonly PreprocessSpec Grey224 = new(1, 224, 224, ResizeMode.Stretch, Interpolation.Bilinear, [0.5f], [0.25f]);

    /// <summary>An encoded test image: made by libvips from samples, by PIL from a job, or drawn and encoded
    /// by Reference/make_radiographs.py.</summary>
    private sealed record ImageDef(string Key, Func<Samples>? Source, Func<Samples, byte[]>? Vips, string? PilFormat, string? PilMode,
        int? PilQuality = null, int? PilOrientation = null, bool RawReference = false, bool PilLossless = false,
        string? DerivedFrom = null, Func<byte[], byte[]>? Transform = null, Radiograph? Radiograph = null);

    /// <summary>A radiograph look-alike: burned-in letters and markers ("L", "R", "PA", a date) at several
    /// sizes, collimator borders, film grain, one-pixel ruler ticks — the sharp edges real X-ray files have
    /// and smooth synthetic images lack. <paramref name="Bits"/>: significant bits of a 16-bit PNG.</summary>
    private sealed record Radiograph(string Format, string Mode, int Width, int Height, int Seed, int? Quality = null, int? Bits = null);

    /// <param name="Format">What the per-format fidelity table groups the case under (e.g. "jpeg-grey").</param>
    /// <param name="RadiographLike">From the radiograph look-alikes (sharp text and edges).</param>
    public sealed record Case(string Name, string ImageKey, PreprocessSpec Spec, string Format, bool RadiographLike);

    private static readonly Lazy<Samples> Grey = new(() => SyntheticXray.Grey16(600, 730, seed: 1));
    private static readonly Lazy<Samples> GreyAlpha = new(() => SyntheticXray.GreyAlpha16(600, 730, seed: 2));
    private static readonly Lazy<Samples> Rgb = new(() => SyntheticXray.Rgb16(600, 730, seed: 3));
    private static readonly Lazy<Samples> Rgba = new(() => SyntheticXray.Rgb16(600, 730, seed: 4, alpha: true));
    private static readonly Lazy<Samples> Cmyk = new(() => SyntheticXray.Cmyk16(600, 730, seed: 10));
    private static readonly Lazy<Samples> GreyAsRgb = new(() => SyntheticXray.GreyAsRgb16(600, 730, seed: 5));
    private static readonly Lazy<Samples> Large = new(() => SyntheticXray.Grey16(1024, 1280, seed: 6));
    private static readonly Lazy<Samples> Small = new(() => SyntheticXray.Grey16(150, 120, seed: 7));
    private static readonly Lazy<Samples> Exact = new(() => SyntheticXray.Grey16(224, 224, seed: 8));
    private static readonly Lazy<Samples> Wide = new(() => SyntheticXray.Rgb16(731, 402, seed: 9));
    // X-ray sized: NIH ChestX-ray14 is 1024², scanners write 2000–3000 px; the modelgen look-alike has real anatomy.
    private static readonly Lazy<Samples> ChestXray1024 = new(() => ChestXray(1024, 1024, seed: 21));
    private static readonly Lazy<Samples> ChestXray2048 = new(() => ChestXray(2048, 2048, seed: 22));
    private static readonly Lazy<Samples> ChestXray2048x2500 = new(() => ChestXray(2048, 2500, seed: 23));
    private static readonly Lazy<Samples> NoisyRgb2048x2500 = new(() => SyntheticXray.Rgb16(2048, 2500, seed: 24));

    private static Samples ChestXray(int width, int height, int seed) =>
        Samples.Of16(width, height, 1, XrayClassifier.ModelGen.SampleImages.ChestXray(width, height, seed).Samples);

    private static IEnumerable<ImageDef> ImageDefs()
    {
        // Radiograph look-alikes at the sizes scanners write, every encoding a PyTorch user's files come in.
        yield return RadiographDef("radiograph-jpeg-grey-q95-2048x2500", new("JPEG", "L", 2048, 2500, 31, Quality: 95));
        yield return RadiographDef("radiograph-jpeg-grey-q75-2373x2373", new("JPEG", "L", 2373, 2373, 32, Quality: 75));
        yield return RadiographDef("radiograph-jpeg-grey-q90-3000x2400", new("JPEG", "L", 3000, 2400, 33, Quality: 90));
        yield return RadiographDef("radiograph-jpeg-rgb-q85-2500x2048", new("JPEG", "RGB", 2500, 2048, 34, Quality: 85));
        yield return RadiographDef("radiograph-jpeg-rgb-q95-2000x2600", new("JPEG", "RGB", 2000, 2600, 35, Quality: 95));
        yield return RadiographDef("radiograph-png8-grey-2048x2500", new("PNG", "L", 2048, 2500, 36));
        yield return RadiographDef("radiograph-png8-rgb-2200x2200", new("PNG", "RGB", 2200, 2200, 37));
        yield return RadiographDef("radiograph-png16-grey-2500x2048", new("PNG", "I;16", 2500, 2048, 38, Bits: 16));
        yield return RadiographDef("radiograph-png16-grey12bit-2336x2836", new("PNG", "I;16", 2336, 2836, 39, Bits: 12));

        yield return new("png8-grey", () => Grey.Value.To8(), s => VipsEncoder.Png(s), null, null);
        yield return new("png16-grey", () => Grey.Value, s => VipsEncoder.Png(s, bitDepth: 16), null, null);
        yield return new("png8-grey-alpha", () => GreyAlpha.Value.To8(), s => VipsEncoder.Png(s), null, null);
        yield return new("png16-grey-alpha", () => GreyAlpha.Value, s => VipsEncoder.Png(s, bitDepth: 16), null, null, RawReference: true);
        yield return new("png8-rgb", () => Rgb.Value.To8(), s => VipsEncoder.Png(s), null, null);
        yield return new("png8-rgba", () => Rgba.Value.To8(), s => VipsEncoder.Png(s), null, null);
        yield return new("png16-rgb", () => Rgb.Value, s => VipsEncoder.Png(s, bitDepth: 16), null, null, RawReference: true);
        yield return new("png16-rgba", () => Rgba.Value, s => VipsEncoder.Png(s, bitDepth: 16), null, null, RawReference: true);
        yield return new("png8-grey-1024x1280", () => Large.Value.To8(), s => VipsEncoder.Png(s), null, null);
        yield return new("png16-grey-1024x1280", () => Large.Value, s => VipsEncoder.Png(s, bitDepth: 16), null, null);
        yield return new("png8-grey-150x120", () => Small.Value.To8(), s => VipsEncoder.Png(s), null, null);
        yield return new("png8-grey-224x224", () => Exact.Value.To8(), s => VipsEncoder.Png(s), null, null);
        yield return new("png8-rgb-731x402", () => Wide.Value.To8(), s => VipsEncoder.Png(s), null, null);
        yield return new("chest-xray-png8-1024x1024", () => ChestXray1024.Value.To8(), s => VipsEncoder.Png(s), null, null);
        yield return new("chest-xray-png16-2048x2048", () => ChestXray2048.Value, s => VipsEncoder.Png(s, bitDepth: 16), null, null);
        yield return new("chest-xray-jpeg-2048x2500", () => ChestXray2048x2500.Value.To8(), null, "JPEG", "L", PilQuality: 90);
        yield return new("noisy-rgb-jpeg-2048x2500", () => NoisyRgb2048x2500.Value.To8(), s => VipsEncoder.Jpeg(s, 90), null, null);
        yield return new("jpeg-grey", () => Grey.Value.To8(), s => VipsEncoder.Jpeg(s, 90), null, null);
        yield return new("jpeg-rgb-equal-channels", () => GreyAsRgb.Value.To8(), s => VipsEncoder.Jpeg(s, 90), null, null);
        yield return new("jpeg-rgb", () => Rgb.Value.To8(), s => VipsEncoder.Jpeg(s, 90), null, null);
        yield return new("jpeg-cmyk", () => Cmyk.Value.To8(), s => VipsEncoder.Jpeg(s, 90, interpretation: "cmyk"), null, null);
        for (int o = 1; o <= 8; o++)
        {
            int orientation = o;
            yield return new($"jpeg-grey-orientation-{o}", () => Grey.Value.To8(), s => VipsEncoder.Jpeg(s, 95, orientation), null, null);
        }
        yield return new("tiff8-grey", () => Grey.Value.To8(), s => VipsEncoder.Tiff(s), null, null);
        yield return new("tiff16-grey", () => Grey.Value, s => VipsEncoder.Tiff(s), null, null);
        yield return new("tiff8-cmyk", () => Cmyk.Value.To8(), s => VipsEncoder.Tiff(s, interpretation: "cmyk"), null, null);
        yield return new("tiff8-rgb", () => Rgb.Value.To8(), s => VipsEncoder.Tiff(s, "lzw"), null, null);
        yield return new("tiff16-rgb", () => Rgb.Value, s => VipsEncoder.Tiff(s), null, null, RawReference: true);
        yield return new("tiff8-grey-orientation-6", () => Grey.Value.To8(), s => VipsEncoder.Tiff(s, "none", orientation: 6), null, null);
        yield return new("webp-rgb-lossless", () => Rgb.Value.To8(), s => VipsEncoder.Webp(s, lossless: true), null, null);
        yield return new("webp-rgb-lossy", () => Rgb.Value.To8(), s => VipsEncoder.Webp(s, lossless: false, quality: 90), null, null);
        yield return new("webp-grey-lossless", () => Grey.Value.To8(), s => VipsEncoder.Webp(s, lossless: true), null, null);
        yield return new("webp-rgba-lossless", () => Rgba.Value.To8(), s => VipsEncoder.Webp(s, lossless: true), null, null);

        // Encoded by PIL: an independent encoder (and the one a PyTorch user's files often come from).
        yield return new("pil-png16-grey", () => Grey.Value, null, "PNG", "I;16");
        yield return new("pil-png8-grey-alpha", () => GreyAlpha.Value.To8(), null, "PNG", "LA");
        yield return new("pil-png-palette", () => Rgb.Value.To8(), null, "PNG", "P");
        yield return new("pil-png-1bit", () => Grey.Value.To8(), null, "PNG", "1");
        yield return new("pil-jpeg-grey", () => Grey.Value.To8(), null, "JPEG", "L", PilQuality: 90);
        // libvips writes an EXIF APP1 segment and no JFIF; PIL writes JFIF. Scanners often write neither.
        yield return new("pil-jpeg-grey-no-jfif", () => Grey.Value.To8(), null, null, null, DerivedFrom: "pil-jpeg-grey", Transform: JpegSegments.WithoutJfif);
        yield return new("pil-jpeg-rgb", () => Rgb.Value.To8(), null, "JPEG", "RGB", PilQuality: 90);
        yield return new("pil-jpeg-grey-orientation-3", () => Grey.Value.To8(), null, "JPEG", "L", PilQuality: 95, PilOrientation: 3);
        yield return new("pil-jpeg-grey-orientation-6", () => Grey.Value.To8(), null, "JPEG", "L", PilQuality: 95, PilOrientation: 6);
        yield return new("pil-jpeg-rgb-orientation-8", () => Rgb.Value.To8(), null, "JPEG", "RGB", PilQuality: 95, PilOrientation: 8);
        yield return new("pil-tiff16-grey-big-endian", () => Grey.Value, null, "TIFF", "I;16B");
        yield return new("pil-tiff8-rgb", () => Rgb.Value.To8(), null, "TIFF", "RGB");
        yield return new("pil-webp-rgb-lossless", () => Rgb.Value.To8(), null, "WEBP", "RGB", PilLossless: true);
    }

    private static ImageDef RadiographDef(string key, Radiograph r) => new(key, null, null, null, null, Radiograph: r);

    private static readonly ImageDef[] Images = ImageDefs().ToArray();

    public static readonly IReadOnlyList<Case> Cases = BuildCases();

    public static IEnumerable<object[]> CaseNames => Cases.Select(c => new object[] { c.Name });

    private static List<Case> BuildCases()
    {
        var cases = new List<Case>();
        void Add(string image, PreprocessSpec spec, string label) =>
            cases.Add(new($"{image} {label}", image, spec, FormatOf(image), image.StartsWith("radiograph-", StringComparison.Ordinal)));

        foreach (var image in Images)
        {
            Add(image.Key, Rgb224, "rgb224");
            Add(image.Key, Grey224, "grey224");
        }
        var cover = Rgb224 with { Resize = ResizeMode.Cover };
        var coverWide = Rgb224 with { Resize = ResizeMode.Cover, Width = 256, Height = 192 };
        var stretchTall = Grey224 with { Width = 192, Height = 256 };
        foreach (var key in new[] { "png8-grey", "png16-grey", "png8-rgb", "jpeg-grey-orientation-6", "jpeg-grey-orientation-7", "png8-rgb-731x402", "png8-grey-150x120", "jpeg-grey-orientation-3" })
        {
            Add(key, cover, "rgb224-cover");
            Add(key, coverWide, "rgb256x192-cover");
            Add(key, stretchTall, "grey192x256");
        }
        foreach (var key in new[] { "png8-grey", "png16-grey", "png8-rgb", "jpeg-grey-orientation-6", "png8-grey-150x120", "png8-grey-1024x1280" })
        {
            foreach (var interpolation in new[] { Interpolation.Nearest, Interpolation.Bicubic, Interpolation.Lanczos3 })
            {
                Add(key, Rgb224 with { Interpolation = interpolation }, $"rgb224-{interpolation.ToString().ToLowerInvariant()}");
                Add(key, cover with { Interpolation = interpolation }, $"rgb224-cover-{interpolation.ToString().ToLowerInvariant()}");
            }
        }
        return cases;
    }

    /// <summary>"jpeg-grey", "png16-grey", …: the encoding, and grey or colour, from the image's key.</summary>
    private static string FormatOf(string key)
    {
        string format = key.Contains("jpeg") ? "jpeg" : key.Contains("png16") ? "png16" : key.Contains("png") ? "png8"
            : key.Contains("tiff16") ? "tiff16" : key.Contains("tiff") ? "tiff8" : key.Contains("webp") ? "webp" : "other";
        string colour = key.Contains("rgb") || key.Contains("cmyk") || key.Contains("palette") ? "colour" : "grey";
        return $"{format}-{colour}";
    }

    private readonly TempDirectory _dir = TestEnvironment.CreateTempDirectory("xray-fidelity");
    private readonly Dictionary<string, byte[]> _encoded = new();
    private readonly Dictionary<string, float[]> _reference = new();

    public FidelityCorpus()
    {
        try
        {
            Build();
        }
        catch
        {
            _dir.Dispose();
            throw;
        }
    }

    private void Build()
    {
        var pilJobs = new List<Dictionary<string, object>>();
        var radiographJobs = new List<Dictionary<string, object>>();
        foreach (var image in Images)
        {
            if (image.Radiograph is Radiograph r)
            {
                var job = new Dictionary<string, object> { ["out"] = _dir.Combine(image.Key + ".img"), ["format"] = r.Format, ["mode"] = r.Mode, ["width"] = r.Width, ["height"] = r.Height, ["seed"] = r.Seed };
                if (r.Quality is int quality) job["quality"] = quality;
                if (r.Bits is int bits) job["bits"] = bits;
                radiographJobs.Add(job);
                continue;
            }
            if (image.DerivedFrom is not null)
            {
                continue;
            }
            var samples = image.Source!();
            if (image.Vips is not null)
            {
                var bytes = image.Vips(samples);
                _encoded[image.Key] = bytes;
                File.WriteAllBytes(_dir.Combine(image.Key + ".img"), bytes);
            }
            else
            {
                string raw = _dir.Combine(image.Key + ".source.npy");
                NpyFile.WriteSamples(raw, samples);
                var job = new Dictionary<string, object> { ["raw"] = raw, ["out"] = _dir.Combine(image.Key + ".img"), ["format"] = image.PilFormat!, ["mode"] = image.PilMode! };
                if (image.PilQuality is int q) job["quality"] = q;
                if (image.PilOrientation is int o) job["orientation"] = o;
                if (image.PilLossless) job["lossless"] = true;
                pilJobs.Add(job);
            }
            if (image.RawReference) NpyFile.WriteSamples(_dir.Combine(image.Key + ".raw.npy"), samples);
        }

        string radiographsFile = _dir.Combine("radiographs.json");
        File.WriteAllText(radiographsFile, JsonSerializer.Serialize(radiographJobs));
        Python.Run(RadiographScript, radiographsFile);
        foreach (var image in Images.Where(i => i.Radiograph is not null))
            _encoded[image.Key] = File.ReadAllBytes(_dir.Combine(image.Key + ".img"));

        if (pilJobs.Count > 0)
        {
            string jobsFile = _dir.Combine("encode.json");
            File.WriteAllText(jobsFile, JsonSerializer.Serialize(pilJobs));
            Python.Run(EncoderScript, jobsFile);
            foreach (var image in Images.Where(i => i.Vips is null && i.DerivedFrom is null && i.Radiograph is null))
                _encoded[image.Key] = File.ReadAllBytes(_dir.Combine(image.Key + ".img"));
        }
        foreach (var image in Images.Where(i => i.DerivedFrom is not null))
        {
            _encoded[image.Key] = image.Transform!(_encoded[image.DerivedFrom!]);
            File.WriteAllBytes(_dir.Combine(image.Key + ".img"), _encoded[image.Key]);
        }

        var referenceJobs = new List<Dictionary<string, object>>();
        for (int i = 0; i < Cases.Count; i++)
        {
            var c = Cases[i];
            var image = Images.Single(d => d.Key == c.ImageKey);
            var job = new Dictionary<string, object>
            {
                ["out"] = _dir.Combine($"case{i}.npy"),
                ["channels"] = c.Spec.Channels, ["width"] = c.Spec.Width, ["height"] = c.Spec.Height,
                ["resize"] = c.Spec.Resize.ToString().ToLowerInvariant(), ["interpolation"] = c.Spec.Interpolation.ToString().ToLowerInvariant(),
                ["mean"] = c.Spec.Mean.ToArray(), ["std"] = c.Spec.Std.ToArray(),
            };
            if (image.RawReference) job["raw"] = _dir.Combine(image.Key + ".raw.npy");
            else job["image"] = _dir.Combine(image.Key + ".img");
            referenceJobs.Add(job);
        }
        string referenceFile = _dir.Combine("reference.json");
        File.WriteAllText(referenceFile, JsonSerializer.Serialize(referenceJobs));
        Python.Run(ReferenceScript, referenceFile);
        for (int i = 0; i < Cases.Count; i++)
        {
            var (data, shape) = NpyFile.ReadFloat32(_dir.Combine($"case{i}.npy"));
            var spec = Cases[i].Spec;
            if (!shape.SequenceEqual(new[] { 1, spec.Channels, spec.Height, spec.Width }))
                throw new InvalidDataException($"reference for {Cases[i].Name} has shape [{string.Join(",", shape)}]");
            _reference[Cases[i].Name] = data;
        }
    }

    public Case Get(string name) => Cases.Single(c => c.Name == name);

    public byte[] Encoded(string imageKey) => _encoded[imageKey];

    public float[] Reference(string caseName) => _reference[caseName];

    /// <summary>XRAY_KEEP_FIDELITY_FILES=1 keeps the images and reference tensors for a look (path on stderr).</summary>
    public void Dispose()
    {
        if (Environment.GetEnvironmentVariable("XRAY_KEEP_FIDELITY_FILES") == "1")
            Console.Error.WriteLine($"fidelity corpus kept in {_dir.Path}");
        else
            _dir.Dispose();
    }
}
