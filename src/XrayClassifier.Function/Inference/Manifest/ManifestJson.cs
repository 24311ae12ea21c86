using System.Text.Json;

namespace XrayClassifier.Function.Inference.Manifest;

/// <summary>
/// manifest.json (UTF-8) → <see cref="ManifestSection"/>s, shaped by <see cref="ManifestSchema"/>, with <see cref="Utf8JsonReader"/> alone. The
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
    /// <see cref="ManifestMappingException"/> for the first value that does not fit <see cref="ManifestSchema"/>, in file order.</summary>
    public static ManifestSection? Read(ReadOnlySpan<byte> utf8)
    {
        CheckSyntax(utf8);

        var reader = new Utf8JsonReader(utf8, s_options);
        reader.Read();
        if (reader.TokenType == JsonTokenType.Null) return null;
        var root = ManifestSchema.Root;
        if (reader.TokenType != JsonTokenType.StartObject) throw WrongType(ref reader, utf8, root.Path, root.Path);
        return ReadObject(ref reader, utf8, root);
    }

    /// <summary>The properties of the object just started, each read as its field in <paramref name="schema"/> says.</summary>
    private static ManifestSection ReadObject(ref Utf8JsonReader reader, ReadOnlySpan<byte> utf8, ManifestField schema)
    {
        var section = new ManifestSection(schema);
        var fields = schema.Fields;
        while (NextProperty(ref reader))
        {
            ManifestField? field = null;
            for (int i = 0; i < fields.Length; i++)
            {
                if (reader.ValueTextEquals(fields[i].Utf8Name)) { field = fields[i]; break; }
            }
            if (field is null) throw UnknownField(ref reader, utf8, schema.Path);
            section.Set(field, ReadValue(ref reader, utf8, field));
        }
        return section;
    }

    private static object? ReadValue(ref Utf8JsonReader reader, ReadOnlySpan<byte> utf8, ManifestField field) => field.Kind switch
    {
        ManifestValueKind.Object => StartObject(ref reader, utf8, field.Path) ? ReadObject(ref reader, utf8, field) : null,
        ManifestValueKind.Text => ReadString(ref reader, utf8, field.Path),
        ManifestValueKind.WholeNumber => ReadInt(ref reader, utf8, field.Path),
        ManifestValueKind.Numbers => ReadNumbers(ref reader, utf8, field.Path, nullIsNaN: false),
        ManifestValueKind.NumbersOrNulls => ReadNumbers(ref reader, utf8, field.Path, nullIsNaN: true),
        ManifestValueKind.Texts => ReadStrings(ref reader, utf8, field.Path),
        ManifestValueKind.NumberOrLabelNumbers => ReadNumberOrLabelNumbers(ref reader),
        _ => throw new InvalidOperationException($"{field.Path}: no reader for {field.Kind}"),
    };

    /// <summary>A number, or an object of per-label values (in file order); anything else is kept (with its kind) for
    /// the checks to refuse with a message that says what was found. <c>null</c> is the same as leaving it out.</summary>
    private static object? ReadNumberOrLabelNumbers(ref Utf8JsonReader reader)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.Null) return null;
        if (reader.TokenType != JsonTokenType.StartObject) return AnyValue(ref reader);
        var entries = new List<KeyValuePair<string, ManifestValue>>();
        while (NextProperty(ref reader))
        {
            string label = reader.GetString()!;
            reader.Read();
            entries.Add(new(label, AnyValue(ref reader)));
        }
        return entries;
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

    private static object? ReadInt(ref Utf8JsonReader reader, ReadOnlySpan<byte> utf8, string path)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.Null) return null;
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out int value)) return value;
        throw WrongType(ref reader, utf8, path, path);
    }

    private static double[]? ReadNumbers(ref Utf8JsonReader reader, ReadOnlySpan<byte> utf8, string path, bool nullIsNaN)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.Null) return null;
        if (reader.TokenType != JsonTokenType.StartArray) throw WrongType(ref reader, utf8, path, path);
        // Plain arrays, not List<double>: generic code over value types is JIT-compiled on a cold start.
        var values = new double[3];
        int count = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            double value = double.NaN;
            if (!(nullIsNaN && reader.TokenType == JsonTokenType.Null)
                && (reader.TokenType != JsonTokenType.Number || !reader.TryGetDouble(out value)))
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
