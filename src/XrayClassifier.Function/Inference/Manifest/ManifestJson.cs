using System.Text.Json;

namespace XrayClassifier.Function.Inference.Manifest;

/// <summary>
/// manifest.json (UTF-8) → <see cref="ManifestDocument"/> with <see cref="Utf8JsonReader"/> alone. The
/// serializer's first use in a process costs ~60 ms of JIT on a cold start (its metadata generics over value
/// types such as <c>int?</c> are not in any ReadyToRun image), and the manifest is read on the cold start's
/// critical path; the reader is precompiled. Comments and trailing commas are accepted because people write
/// these files; duplicate keys, unknown fields and numbers in quotes are not.
/// </summary>
internal static class ManifestJson
{
    private static readonly JsonReaderOptions s_options = new()
    {
        CommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    /// <summary>Null for a file holding JSON <c>null</c>. Throws <see cref="JsonException"/> for text that is not
    /// JSON or repeats a key (anywhere in the file, before any other check), then
    /// <see cref="ManifestMappingException"/> for the first value that does not fit, in file order.</summary>
    public static ManifestDocument? Read(ReadOnlySpan<byte> utf8)
    {
        CheckSyntax(utf8);

        var reader = new Utf8JsonReader(utf8, s_options);
        reader.Read();
        if (reader.TokenType == JsonTokenType.Null) return null;
        if (reader.TokenType != JsonTokenType.StartObject) throw WrongType(ref reader, utf8, "$", "$");

        var document = new ManifestDocument();
        while (NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("name"u8)) document.Name = ReadString(ref reader, utf8, "$.name");
            else if (reader.ValueTextEquals("version"u8)) document.Version = ReadString(ref reader, utf8, "$.version");
            else if (reader.ValueTextEquals("description"u8)) document.Description = ReadString(ref reader, utf8, "$.description");
            else if (reader.ValueTextEquals("notice"u8)) document.Notice = ReadString(ref reader, utf8, "$.notice");
            else if (reader.ValueTextEquals("model"u8)) document.Model = ReadString(ref reader, utf8, "$.model");
            else if (reader.ValueTextEquals("input"u8)) document.Input = ReadInput(ref reader, utf8);
            else if (reader.ValueTextEquals("output"u8)) document.Output = ReadOutput(ref reader, utf8);
            else throw UnknownField(ref reader, utf8, "$");
        }
        return document;
    }

    private static ManifestInputSection? ReadInput(ref Utf8JsonReader reader, ReadOnlySpan<byte> utf8)
    {
        if (!StartObject(ref reader, utf8, "$.input")) return null;
        var input = new ManifestInputSection();
        while (NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("name"u8)) input.Name = ReadString(ref reader, utf8, "$.input.name");
            else if (reader.ValueTextEquals("channels"u8)) input.Channels = ReadInt(ref reader, utf8, "$.input.channels");
            else if (reader.ValueTextEquals("height"u8)) input.Height = ReadInt(ref reader, utf8, "$.input.height");
            else if (reader.ValueTextEquals("width"u8)) input.Width = ReadInt(ref reader, utf8, "$.input.width");
            else if (reader.ValueTextEquals("resize"u8)) input.Resize = ReadString(ref reader, utf8, "$.input.resize");
            else if (reader.ValueTextEquals("interpolation"u8)) input.Interpolation = ReadString(ref reader, utf8, "$.input.interpolation");
            else if (reader.ValueTextEquals("mean"u8)) input.Mean = ReadNumbers(ref reader, utf8, "$.input.mean");
            else if (reader.ValueTextEquals("std"u8)) input.Std = ReadNumbers(ref reader, utf8, "$.input.std");
            else throw UnknownField(ref reader, utf8, "$.input");
        }
        return input;
    }

    private static ManifestOutputSection? ReadOutput(ref Utf8JsonReader reader, ReadOnlySpan<byte> utf8)
    {
        if (!StartObject(ref reader, utf8, "$.output")) return null;
        var output = new ManifestOutputSection();
        while (NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("name"u8)) output.Name = ReadString(ref reader, utf8, "$.output.name");
            else if (reader.ValueTextEquals("activation"u8)) output.Activation = ReadString(ref reader, utf8, "$.output.activation");
            else if (reader.ValueTextEquals("labels"u8)) output.Labels = ReadStrings(ref reader, utf8, "$.output.labels");
            else if (reader.ValueTextEquals("threshold"u8)) ReadThreshold(ref reader, output);
            else throw UnknownField(ref reader, utf8, "$.output");
        }
        return output;
    }

    /// <summary>A number, or an object of per-label values; anything else is kept (with its kind) for the checks
    /// to refuse with a message that says what was found. <c>null</c> is the same as leaving it out.</summary>
    private static void ReadThreshold(ref Utf8JsonReader reader, ManifestOutputSection output)
    {
        reader.Read();
        output.Threshold = null;
        output.LabelThresholds = null;
        if (reader.TokenType == JsonTokenType.Null) return;
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            output.Threshold = AnyValue(ref reader);
            return;
        }
        var entries = new List<KeyValuePair<string, ManifestValue>>();
        while (NextProperty(ref reader))
        {
            string label = reader.GetString()!;
            reader.Read();
            entries.Add(new(label, AnyValue(ref reader)));
        }
        output.LabelThresholds = entries;
    }

    private static ManifestValue AnyValue(ref Utf8JsonReader reader)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Number:
                return new ManifestValue(reader.GetDouble(), "a number");
            case JsonTokenType.String:
                return new ManifestValue(null, $"the string \"{reader.GetString()}\"");
            case JsonTokenType.True or JsonTokenType.False:
                return new ManifestValue(null, "a boolean");
            case JsonTokenType.Null:
                return new ManifestValue(null, "null");
            case JsonTokenType.StartArray:
                reader.Skip();
                return new ManifestValue(null, "an array");
            default:
                reader.Skip();
                return new ManifestValue(null, "an object");
        }
    }

    /// <summary>Moves to the next property name of the current object; false at its end.</summary>
    private static bool NextProperty(ref Utf8JsonReader reader) =>
        reader.Read() && reader.TokenType == JsonTokenType.PropertyName;

    /// <summary>Reads the value's first token: true at '{', false for null, the wrong type otherwise.</summary>
    private static bool StartObject(ref Utf8JsonReader reader, ReadOnlySpan<byte> utf8, string path)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.Null) return false;
        if (reader.TokenType != JsonTokenType.StartObject) throw WrongType(ref reader, utf8, path, path);
        return true;
    }

    private static string? ReadString(ref Utf8JsonReader reader, ReadOnlySpan<byte> utf8, string path)
    {
        reader.Read();
        return reader.TokenType switch
        {
            JsonTokenType.Null => null,
            JsonTokenType.String => reader.GetString(),
            _ => throw WrongType(ref reader, utf8, path, path),
        };
    }

    private static int? ReadInt(ref Utf8JsonReader reader, ReadOnlySpan<byte> utf8, string path)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.Null) return null;
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out int value)) return value;
        throw WrongType(ref reader, utf8, path, path);
    }

    private static double[]? ReadNumbers(ref Utf8JsonReader reader, ReadOnlySpan<byte> utf8, string path)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.Null) return null;
        if (reader.TokenType != JsonTokenType.StartArray) throw WrongType(ref reader, utf8, path, path);
        // Plain arrays, not List<double>: generic code over value types is JIT-compiled on a cold start.
        var values = new double[3];
        int count = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.Number || !reader.TryGetDouble(out double value))
                throw WrongType(ref reader, utf8, $"{path}[{count}]", path);
            if (count == values.Length)
            {
                var larger = new double[count * 2];
                for (int i = 0; i < count; i++) larger[i] = values[i];
                values = larger;
            }
            values[count++] = value;
        }
        if (count == values.Length) return values;
        var exact = new double[count];
        for (int i = 0; i < count; i++) exact[i] = values[i];
        return exact;
    }

    private static string[]? ReadStrings(ref Utf8JsonReader reader, ReadOnlySpan<byte> utf8, string path)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.Null) return null;
        if (reader.TokenType != JsonTokenType.StartArray) throw WrongType(ref reader, utf8, path, path);
        var values = new List<string>(16);
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            // A null label is kept as null: the checks report it as an empty label, with its index.
            if (reader.TokenType is JsonTokenType.String or JsonTokenType.Null) values.Add(reader.GetString()!);
            else throw WrongType(ref reader, utf8, $"{path}[{values.Count}]", path);
        }
        return [.. values];
    }

    private static ManifestMappingException WrongType(ref Utf8JsonReader reader, ReadOnlySpan<byte> utf8, string path, string field)
    {
        var (line, column) = Position(utf8, reader.BytesConsumed);
        return new ManifestMappingException(path, field, unknownField: false, line, column);
    }

    private static ManifestMappingException UnknownField(ref Utf8JsonReader reader, ReadOnlySpan<byte> utf8, string parent)
    {
        var (line, column) = Position(utf8, reader.BytesConsumed);
        return new ManifestMappingException($"{parent}.{reader.GetString()}", parent, unknownField: true, line, column);
    }

    /// <summary>0-based line and byte column of <paramref name="offset"/>, counted as the JSON reader counts them (lines end at '\n').</summary>
    private static (long Line, long Column) Position(ReadOnlySpan<byte> utf8, long offset)
    {
        var before = utf8[..(int)offset];
        int lastNewline = before.LastIndexOf((byte)'\n');
        return (before.Count((byte)'\n'), before.Length - (lastNewline + 1));
    }

    /// <summary>Reads the whole file once: syntax errors (as <see cref="Utf8JsonReader"/> reports them), escapes that
    /// make no text (a lone <c>\ud800</c>) and repeated keys in any object come before any question of shape.</summary>
    private static void CheckSyntax(ReadOnlySpan<byte> utf8)
    {
        var reader = new Utf8JsonReader(utf8, s_options);
        var keys = new List<List<string>?>();
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.StartObject:
                    keys.Add(null);
                    break;
                case JsonTokenType.EndObject:
                    keys.RemoveAt(keys.Count - 1);
                    break;
                case JsonTokenType.String:
                    Text(ref reader, utf8);
                    break;
                case JsonTokenType.PropertyName:
                    string name = Text(ref reader, utf8);
                    var seen = keys[^1] ??= [];
                    if (seen.Contains(name)) throw Invalid(ref reader, utf8, $"Duplicate property '{name}' encountered during deserialization.");
                    seen.Add(name);
                    break;
            }
        }
    }

    private static string Text(ref Utf8JsonReader reader, ReadOnlySpan<byte> utf8)
    {
        try
        {
            return reader.GetString()!;
        }
        catch (InvalidOperationException e)
        {
            throw Invalid(ref reader, utf8, e.Message);
        }
    }

    private static JsonException Invalid(ref Utf8JsonReader reader, ReadOnlySpan<byte> utf8, string message)
    {
        var (line, column) = Position(utf8, reader.BytesConsumed);
        return new JsonException(message, null, line, column);
    }
}
