using System.Text;

namespace XrayClassifier.Function.Inference.Manifest;

/// <summary>How <see cref="ManifestJson"/> reads a field's value.</summary>
internal enum ManifestValueKind
{
    Object,
    Text,
    WholeNumber,
    Numbers,
    /// <summary>An array of numbers where null stands for "none" (read as NaN).</summary>
    NumbersOrNulls,
    Texts,
    /// <summary>A number, or an object of per-label numbers ("output.threshold").</summary>
    NumberOrLabelNumbers,
}

/// <summary>One allowed value of a field: as written in the manifest, what it means (null when the name says
/// it), and the code the reader turns it into (an enum's value).</summary>
internal sealed record ManifestChoice(string Value, string? Meaning, int Code);

/// <summary>
/// One field of manifest.json as <see cref="ManifestSchema"/> describes it: where it is, what it holds,
/// whether it is required, its default and what it means. The reader, its messages and MANIFEST.md's field
/// table all read these.
/// </summary>
internal sealed class ManifestField
{
    private ManifestField(string path, ManifestValueKind kind, string typeWords, string meaning)
    {
        Path = path;
        Name = path == "$" ? "" : path[(path.LastIndexOf('.') + 1)..];
        Utf8Name = Encoding.UTF8.GetBytes(Name);
        Kind = kind;
        TypeWords = typeWords;
        Meaning = meaning;
    }

    /// <summary>JSONPath, e.g. <c>$.input.resize</c>.</summary>
    public string Path { get; }

    /// <summary>The JSON key, e.g. <c>resize</c>.</summary>
    public string Name { get; }

    public byte[] Utf8Name { get; }

    public ManifestValueKind Kind { get; }

    /// <summary>What the value must be, in words: "a string", "a whole number of pixels".</summary>
    public string TypeWords { get; }

    /// <summary>One line for people: what the field does.</summary>
    public string Meaning { get; }

    public bool Required { get; private init; }

    /// <summary>The value used when the field is left out, as MANIFEST.md states it; null for required fields.</summary>
    public string? Default { get; private init; }

    /// <summary>The allowed values, when the field takes one of a few.</summary>
    public ManifestChoice[] Choices { get; private init; } = [];

    /// <summary>The fields of an object, in the order the manifest documents them.</summary>
    public ManifestField[] Fields { get; private init; } = [];

    /// <summary>What a missing required value should have been, when neither its choices nor its fields say it.</summary>
    public string? Expects { get; private init; }

    /// <summary>Position among its parent's <see cref="Fields"/>.</summary>
    public int Index { get; private set; }

    /// <summary>The name messages use: <c>input.resize</c>, or "the manifest" for the root.</summary>
    public string Display => Path == "$" ? "the manifest" : Path[2..];

    /// <summary>The choice written as <paramref name="value"/>, or null.</summary>
    public ManifestChoice? Choice(string value)
    {
        foreach (var choice in Choices)
            if (choice.Value == value) return choice;
        return null;
    }

    /// <summary>The choice used when the field is left out.</summary>
    public ManifestChoice DefaultChoice =>
        Choice(Default!) ?? throw new InvalidOperationException($"{Path}: default \"{Default}\" is not one of its choices");

    /// <summary>For a wrong JSON type: "a whole number: 1 or 3".</summary>
    public string ExpectedType =>
        Choices.Length == 0 ? TypeWords : $"{TypeWords}: {Joined(Choices.Select(c => c.Value).ToArray(), "or")}";

    /// <summary>For a value that is not one of the choices: the choices, with their meanings where they have them.</summary>
    public string ExpectedChoice =>
        Choices.Any(c => c.Meaning is not null)
            ? Joined(Choices.Select(c => c.Meaning is null ? Written(c) : $"{Written(c)} ({c.Meaning})").ToArray(), "or")
            : "one of " + string.Join(", ", Choices.Select(c => c.Value));

    /// <summary>For a missing required field.</summary>
    public string ExpectedWhenMissing =>
        Expects ?? (Choices.Length > 0 ? ExpectedChoice
            : Kind == ManifestValueKind.Object ? "an object with " + Joined(Fields.Where(f => f.Required).Select(f => f.Name).ToArray(), "and")
            : TypeWords);

    private string Written(ManifestChoice c) => Kind == ManifestValueKind.Text ? $"\"{c.Value}\"" : c.Value;

    /// <summary>"a, b or c".</summary>
    public static string Joined(string[] items, string last) =>
        items.Length <= 1 ? string.Concat(items) : string.Join(", ", items[..^1]) + $" {last} " + items[^1];

    public static ManifestField Object(string path, string meaning, bool required, ManifestField[] fields)
    {
        for (int i = 0; i < fields.Length; i++) fields[i].Index = i;
        return new(path, ManifestValueKind.Object, "an object", meaning) { Required = required, Fields = fields };
    }

    public static ManifestField Value(string path, ManifestValueKind kind, string typeWords, string meaning,
        bool required = false, string? defaultValue = null, ManifestChoice[]? choices = null, string? expects = null) =>
        new(path, kind, typeWords, meaning)
        {
            Required = required,
            Default = defaultValue,
            Choices = choices ?? [],
            Expects = expects,
        };
}
