using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace XrayClassifier.Tests.Deploy;

/// <summary>
/// A small, strict reader for the YAML subset deploy/template.yaml is written in (no YAML package is
/// available here): block mappings and sequences, folded <c>&gt;-</c> scalars, literal <c>|</c> blocks, quoted and plain scalars
/// typed as YAML 1.2's core schema does, flow sequences of scalars, comments, and CloudFormation's short
/// tags <c>!Ref</c>, <c>!GetAtt</c>, <c>!Sub</c> turned into their long JSON forms. Anything else throws
/// rather than being guessed at; a test checks the result equals what cfn-lint's YAML parser reads.
/// </summary>
public static class CloudFormationYaml
{
    private sealed record Line(int Number, int Indent, string Text);

    public static JsonObject Parse(string yaml)
    {
        var lines = new List<Line>();
        var raw = yaml.Replace("\r\n", "\n").Split('\n');
        for (int n = 0; n < raw.Length; n++)
        {
            var text = raw[n];
            if (text.Contains('\t')) throw Error(n + 1, "tabs are not allowed in YAML indentation");
            var body = StripComment(text).TrimEnd();
            if (body.Trim().Length == 0) continue;
            int indent = body.Length - body.TrimStart(' ').Length;
            lines.Add(new Line(n + 1, indent, body[indent..]));
        }
        int i = 0;
        var root = ParseBlock(lines, ref i, 0) as JsonObject ?? throw Error(1, "the document is not a mapping");
        if (i != lines.Count) throw Error(lines[i].Number, "unexpected content after the document");
        return root;
    }

    private static JsonNode ParseBlock(List<Line> lines, ref int i, int indent)
    {
        var line = lines[i];
        if (line.Indent != indent) throw Error(line.Number, $"expected indentation {indent}, found {line.Indent}");
        return IsSequenceItem(line.Text) ? ParseSequence(lines, ref i, indent) : ParseMapping(lines, ref i, indent);
    }

    private static bool IsSequenceItem(string text) => text == "-" || text.StartsWith("- ", StringComparison.Ordinal);

    private static JsonObject ParseMapping(List<Line> lines, ref int i, int indent)
    {
        var map = new JsonObject();
        while (i < lines.Count && lines[i].Indent == indent && !IsSequenceItem(lines[i].Text))
        {
            var line = lines[i];
            int colon = KeySeparator(line.Text) ?? throw Error(line.Number, "expected 'key: value'");
            var key = Unquote(line.Text[..colon].Trim(), line.Number);
            var rest = line.Text[(colon + 1)..].Trim();
            if (map.ContainsKey(key)) throw Error(line.Number, $"duplicate key '{key}'");
            i++;
            JsonNode? value;
            if (rest.Length == 0)
            {
                if (i < lines.Count && lines[i].Indent > indent) value = ParseBlock(lines, ref i, lines[i].Indent);
                else if (i < lines.Count && lines[i].Indent == indent && IsSequenceItem(lines[i].Text)) value = ParseSequence(lines, ref i, indent);
                else value = null;
            }
            else if (rest is ">-" or ">")
            {
                value = FoldedScalar(lines, ref i, indent, keepFinalNewline: rest == ">");
            }
            else if (rest == "|")
            {
                value = LiteralScalar(lines, ref i, indent);
            }
            else if (rest.StartsWith('|') || rest.StartsWith('>') || rest.StartsWith('&') || rest.StartsWith('*'))
            {
                throw Error(line.Number, $"'{rest}' (literal blocks, anchors, aliases) is outside the supported subset");
            }
            else
            {
                value = Inline(rest, line.Number);
            }
            map[key] = value;
        }
        if (i < lines.Count && lines[i].Indent > indent) throw Error(lines[i].Number, "unexpected indentation");
        return map;
    }

    private static JsonArray ParseSequence(List<Line> lines, ref int i, int indent)
    {
        var list = new JsonArray();
        while (i < lines.Count && lines[i].Indent == indent && IsSequenceItem(lines[i].Text))
        {
            var line = lines[i];
            var item = line.Text.Length == 1 ? "" : line.Text[2..].TrimStart();
            int itemIndent = indent + (line.Text.Length - item.Length);
            if (item.Length == 0)
            {
                i++;
                if (i >= lines.Count || lines[i].Indent <= indent) throw Error(line.Number, "empty sequence item");
                list.Add(ParseBlock(lines, ref i, lines[i].Indent));
            }
            else if (IsSequenceItem(item))
            {
                throw Error(line.Number, "nested '- -' sequences are outside the supported subset");
            }
            else if (KeySeparator(item) is not null && !item.StartsWith('!') && !item.StartsWith('\'') && !item.StartsWith('"'))
            {
                // "- key: value" opens a mapping whose keys line up with "key".
                lines[i] = line with { Indent = itemIndent, Text = item };
                list.Add(ParseMapping(lines, ref i, itemIndent));
            }
            else
            {
                list.Add(Inline(item, line.Number));
                i++;
            }
        }
        return list;
    }

    /// <summary>A literal block (<c>|</c>, clipped: one final newline), each line's indentation beyond the block's kept.
    /// Blank and comment-only lines were dropped when the lines were read, so a literal block here holds neither
    /// (the archive state machine's JSON has none, and a test checks cfn-lint's parser reads the same).</summary>
    private static JsonValue LiteralScalar(List<Line> lines, ref int i, int indent)
    {
        if (i >= lines.Count || lines[i].Indent <= indent) throw Error(lines[Math.Max(0, i - 1)].Number, "empty literal block");
        int blockIndent = lines[i].Indent;
        var text = new StringBuilder();
        while (i < lines.Count && lines[i].Indent > indent)
        {
            var line = lines[i++];
            if (line.Indent < blockIndent) throw Error(line.Number, "a literal block's line is indented less than its first");
            text.Append(' ', line.Indent - blockIndent).Append(line.Text).Append('\n');
        }
        return JsonValue.Create(text.ToString());
    }

    private static JsonValue FoldedScalar(List<Line> lines, ref int i, int indent, bool keepFinalNewline)
    {
        var parts = new List<string>();
        while (i < lines.Count && lines[i].Indent > indent) parts.Add(lines[i++].Text);
        if (parts.Count == 0) throw Error(lines[Math.Max(0, i - 1)].Number, "empty folded scalar");
        // Lines of one paragraph fold into one line joined by spaces (blank lines were dropped with comments,
        // so a folded scalar here must be a single paragraph).
        return JsonValue.Create(string.Join(' ', parts) + (keepFinalNewline ? "\n" : ""));
    }

    private static JsonNode? Inline(string text, int lineNumber)
    {
        if (text.StartsWith('!'))
        {
            int space = text.IndexOf(' ');
            if (space < 0) throw Error(lineNumber, $"tag '{text}' without a value");
            var tag = text[..space];
            var argument = Inline(text[(space + 1)..].Trim(), lineNumber);
            var scalar = argument is JsonValue v && v.TryGetValue(out string? s) ? s
                : throw Error(lineNumber, $"{tag} takes a scalar here");
            return tag switch
            {
                "!Ref" => new JsonObject { ["Ref"] = scalar },
                "!Sub" => new JsonObject { ["Fn::Sub"] = scalar },
                "!GetAtt" when scalar.IndexOf('.') is > 0 and var dot =>
                    new JsonObject { ["Fn::GetAtt"] = new JsonArray(scalar[..dot], scalar[(dot + 1)..]) },
                _ => throw Error(lineNumber, $"tag '{tag}' is outside the supported subset"),
            };
        }
        if (text.StartsWith('['))
        {
            if (!text.EndsWith(']')) throw Error(lineNumber, "unterminated flow sequence");
            var array = new JsonArray();
            foreach (var element in SplitFlow(text[1..^1], lineNumber)) array.Add(Inline(element, lineNumber));
            return array;
        }
        if (text.StartsWith('{')) throw Error(lineNumber, "flow mappings are outside the supported subset");
        if (text.StartsWith('\'') || text.StartsWith('"')) return JsonValue.Create(Unquote(text, lineNumber));
        return Plain(text, lineNumber);
    }

    private static JsonNode? Plain(string text, int lineNumber)
    {
        if (text.Contains(": ") || text.EndsWith(':')) throw Error(lineNumber, $"plain scalar '{text}' holds ': '");
        if (text is "null" or "Null" or "NULL" or "~") return null;
        if (text is "true" or "True" or "TRUE") return JsonValue.Create(true);
        if (text is "false" or "False" or "FALSE") return JsonValue.Create(false);
        if (Regex.IsMatch(text, "^[-+]?[0-9]+$")) return JsonValue.Create(long.Parse(text, CultureInfo.InvariantCulture));
        if (Regex.IsMatch(text, @"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$"))
            return JsonValue.Create(double.Parse(text, CultureInfo.InvariantCulture));
        return JsonValue.Create(text);
    }

    private static string Unquote(string text, int lineNumber)
    {
        if (text.Length >= 2 && text[0] == '\'' && text[^1] == '\'')
        {
            var inner = text[1..^1];
            if (Regex.IsMatch(inner.Replace("''", ""), "'")) throw Error(lineNumber, $"bad quoting in {text}");
            return inner.Replace("''", "'");
        }
        if (text.Length >= 2 && text[0] == '"' && text[^1] == '"')
        {
            var inner = text[1..^1];
            if (inner.Contains('\\')) throw Error(lineNumber, "escapes in double-quoted scalars are outside the supported subset");
            return inner;
        }
        if (text.StartsWith('\'') || text.StartsWith('"')) throw Error(lineNumber, $"unterminated quote in {text}");
        return text;
    }

    /// <summary>Index of the ':' that ends a mapping key (followed by a space or the end), outside quotes.</summary>
    private static int? KeySeparator(string text)
    {
        char quote = '\0';
        for (int k = 0; k < text.Length; k++)
        {
            char c = text[k];
            if (quote != '\0') { if (c == quote) quote = '\0'; continue; }
            if (c is '\'' or '"' && k == 0) { quote = c; continue; }
            if (c == ':' && (k + 1 == text.Length || text[k + 1] == ' ')) return k;
            if (c == ' ' && k + 1 < text.Length && text[k + 1] is '!' or '[' or '\'' or '"') return null;
        }
        return null;
    }

    private static IEnumerable<string> SplitFlow(string inner, int lineNumber)
    {
        var current = new StringBuilder();
        char quote = '\0';
        foreach (char c in inner)
        {
            if (quote != '\0') { current.Append(c); if (c == quote) quote = '\0'; continue; }
            if (c is '\'' or '"') { quote = c; current.Append(c); continue; }
            if (c is '[' or '{') throw Error(lineNumber, "nested flow collections are outside the supported subset");
            if (c == ',') { yield return current.ToString().Trim(); current.Clear(); continue; }
            current.Append(c);
        }
        if (current.ToString().Trim().Length > 0) yield return current.ToString().Trim();
    }

    private static string StripComment(string text)
    {
        char quote = '\0';
        for (int k = 0; k < text.Length; k++)
        {
            char c = text[k];
            if (quote != '\0') { if (c == quote) quote = '\0'; continue; }
            if (c is '\'' or '"' && (k == 0 || text[k - 1] is ' ' or '[' or ',' or '-')) { quote = c; continue; }
            if (c == '#' && (k == 0 || text[k - 1] == ' ')) return text[..k];
        }
        return text;
    }

    private static FormatException Error(int line, string message) => new($"template.yaml line {line}: {message}");
}
