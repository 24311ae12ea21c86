using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using XrayClassifier.Function.Configuration;
using XrayClassifier.Function.Inference;
using XrayClassifier.Function.Inference.Manifest;
using XrayClassifier.Tests.TestHelpers;

namespace XrayClassifier.Tests.Inference;

/// <summary>ManifestSchema is the one description of manifest.json: MANIFEST.md's table is generated from it and
/// the reader's messages, choices and defaults come from it.</summary>
public sealed class ManifestSchemaTests
{
    private const string Begin = "<!-- fields:begin -->\n";
    private const string End = "<!-- fields:end -->";

    private static string ManifestMd => Path.Combine(TestEnvironment.RepoRoot, "src", "XrayClassifier.Function", "Inference", "MANIFEST.md");

    /// <summary>Set XRAY_WRITE_MANIFEST_TABLE=1 to write the generated table into MANIFEST.md instead of comparing.</summary>
    [Fact]
    public void ManifestMdFieldTableIsTheOneTheSchemaGenerates()
    {
        string text = File.ReadAllText(ManifestMd).ReplaceLineEndings("\n");
        int begin = text.IndexOf(Begin, StringComparison.Ordinal);
        int end = text.IndexOf(End, StringComparison.Ordinal);
        Assert.True(begin >= 0 && end > begin, $"MANIFEST.md needs the markers {Begin.Trim()} and {End}");
        string written = text[(begin + Begin.Length)..end];
        string generated = MarkdownTable();
        if (Environment.GetEnvironmentVariable("XRAY_WRITE_MANIFEST_TABLE") == "1")
        {
            File.WriteAllText(ManifestMd, text[..(begin + Begin.Length)] + generated + text[end..]);
            return;
        }
        Assert.True(written == generated,
            "MANIFEST.md's field table differs from ManifestSchema.cs; run this test with XRAY_WRITE_MANIFEST_TABLE=1 " +
            "or paste the generated table:\n" + generated);
    }

    [Fact]
    public void EveryFieldOfTheSchemaIsATableRowAndEveryRowAField()
    {
        var rows = MarkdownTable().Split('\n')
            .Where(l => l.StartsWith("| `", StringComparison.Ordinal))
            .Select(l => l[3..l.IndexOf('`', 3)]).ToArray();
        Assert.Equal(Leaves(ManifestSchema.Root).Select(f => f.Path[2..]), rows);
    }

    [Fact]
    public void EveryDefaultIsOneOfItsFieldsChoicesAndOnlyOptionalFieldsHaveOne()
    {
        foreach (var field in Leaves(ManifestSchema.Root))
        {
            Assert.False(field.Required && field.Default is not null, $"{field.Path} is required and has a default");
            if (field.Choices.Length > 0 && field.Default is not null) Assert.NotNull(field.Choice(field.Default));
        }
    }

    [Fact]
    public void TheReaderAppliesTheSchemaDefaultsToALeanManifest()
    {
        var m = TestManifest.Parse("""
            { "name": "m", "version": "1", "model": "model.onnx",
              "input": { "channels": 1, "height": 8, "width": 8, "mean": [0.5], "std": [0.25] },
              "output": { "activation": "sigmoid", "labels": ["a"] } }
            """);
        Assert.Equal(ManifestSchema.Input.Resize.DefaultChoice.Code, (int)m.Input.Resize);
        Assert.Equal(ManifestSchema.Input.Interpolation.DefaultChoice.Code, (int)m.Input.Interpolation);
        Assert.Equal(ManifestSchema.Output.Threshold.Default, m.ThresholdFor("a").ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    public static TheoryData<string> ValueFields()
    {
        var data = new TheoryData<string>();
        foreach (var field in Leaves(ManifestSchema.Root).Where(f => f.Kind != ManifestValueKind.Object)) data.Add(field.Path);
        return data;
    }

    /// <summary>A boolean is the wrong type for every field; the message names the field and says what the schema expects.</summary>
    [Theory]
    [MemberData(nameof(ValueFields))]
    public void AWrongTypeNamesTheFieldAndTheSchemasTypeWords(string path)
    {
        var field = Leaves(ManifestSchema.Root).Single(f => f.Path == path);
        var node = JsonNode.Parse("""
            { "name": "m", "version": "1", "model": "model.onnx",
              "input": { "channels": 1, "height": 8, "width": 8, "mean": [0.5], "std": [0.25] },
              "output": { "activation": "sigmoid", "labels": ["a"] } }
            """)!.AsObject();
        var parent = node;
        var names = path[2..].Split('.');
        foreach (string name in names[..^1]) parent = (parent[name] ??= new JsonObject()).AsObject();
        parent[names[^1]] = true;

        var e = Assert.Throws<PlatformUnavailableException>(() => TestManifest.Parse(node.ToJsonString()));

        Assert.Contains(field.Display, e.Message);
        Assert.Contains(field.Kind == ManifestValueKind.NumberOrLabelNumbers ? field.TypeWords : $"expected {field.ExpectedType}.", e.Message);
    }

    [Fact]
    public void AnUnknownFieldListsTheSchemasFieldsOfItsObject()
    {
        foreach (var section in Leaves(ManifestSchema.Root).Where(f => f.Kind == ManifestValueKind.Object).Prepend(ManifestSchema.Root))
        {
            var node = JsonNode.Parse("""
                { "name": "m", "version": "1", "model": "model.onnx",
                  "input": { "channels": 1, "height": 8, "width": 8, "mean": [0.5], "std": [0.25] },
                  "output": { "activation": "sigmoid", "labels": ["a"] } }
                """)!.AsObject();
            var target = node;
            if (section.Path != "$")
            {
                foreach (string name in section.Path[2..].Split('.')) target = (target[name] ??= new JsonObject()).AsObject();
            }
            target["unheard_of"] = 1;

            var e = Assert.Throws<PlatformUnavailableException>(() => TestManifest.Parse(node.ToJsonString()));

            Assert.Contains($"the fields of {section.Display} are {string.Join(", ", section.Fields.Select(f => f.Name))}. Check the spelling.", e.Message);
        }
    }

    private static IEnumerable<ManifestField> Leaves(ManifestField field)
    {
        foreach (var child in field.Fields)
        {
            yield return child;
            foreach (var grandchild in Leaves(child)) yield return grandchild;
        }
    }

    /// <summary>MANIFEST.md's field table, written from <see cref="ManifestSchema.Root"/>: one row per field, objects
    /// before their fields. Only these tests need it, so it lives here and not in the Lambda.</summary>
    private static string MarkdownTable()
    {
        var table = new StringBuilder();
        table.Append("| field | type | required | default | meaning |\n|---|---|---|---|---|\n");
        foreach (var field in ManifestSchema.Root.Fields) Row(table, field);
        return table.ToString();
    }

    private static void Row(StringBuilder table, ManifestField field)
    {
        string meaning = field.Meaning;
        if (field.Choices.Length > 0)
        {
            meaning += " " + string.Join("; ", field.Choices.Select(c =>
                c.Meaning is null ? $"`{c.Value}`" : $"`{c.Value}`: {c.Meaning}")) + ".";
        }
        string defaultValue = field.Default is null ? "—"
            : field.Choices.Length > 0 || field.Kind != ManifestValueKind.Text ? $"`{field.Default}`" : field.Default;
        table.Append(CultureInfo.InvariantCulture,
            $"| `{field.Path[2..]}` | {field.TypeWords.Replace("|", "\\|", StringComparison.Ordinal)} | {(field.Required ? "yes" : "no")} | {defaultValue} | {meaning} |\n");
        foreach (var child in field.Fields) Row(table, child);
    }
}
