using System.Globalization;
using System.Text;

namespace XrayClassifier.Function.Dicom.Writing;

/// <summary>
/// What a text value of each VR the project writes may be (PS3.5 §6.2, Table 6.2-1), and how a value copied from another
/// file — the source's patient and study, which the Structured Report carries back to the PACS — is made to fit it. A
/// hostile or sloppy source may hold any bytes; a report that breaks its VRs is one a PACS may refuse.
/// <para>The rule is dcm4chee-arc-light's attribute coercion that makes values comply with their VR
/// (dcm4che/dcm4chee-arc-light#572, the archive many hospitals run): free text (SH, LO, PN) is truncated at the VR's maximum,
/// a formatted value (CS, DA, TM, UI) that does not match its format is nullified. So the report names the patient as an
/// archive applying that coercion filed the source. Lengths of SH, LO and PN are in characters (PS3.5 §6.2, the note on
/// multi-byte character sets): here Unicode scalar values, so a cut never splits a UTF-8 sequence or a surrogate pair.
/// A value within its length is copied as it is; one cut is cut to fit in bytes as well (see <see cref="Truncated"/>).</para>
/// </summary>
public static class TextValues
{
    /// <summary>PS3.5 Table 6.2-1's maximum length of one value: characters for SH, LO, PN (each component group), ST and
    /// LT; bytes (ASCII characters) for the others.</summary>
    public static IReadOnlyDictionary<string, int> MaximumLength { get; } = new Dictionary<string, int>(StringComparer.Ordinal)
    {
        ["AE"] = 16, ["AS"] = 4, ["CS"] = 16, ["DA"] = 8, ["DS"] = 16, ["DT"] = 26, ["IS"] = 12, ["LO"] = 64,
        ["LT"] = 10240, ["PN"] = 64, ["SH"] = 16, ["ST"] = 1024, ["TM"] = 14, ["UI"] = 64,
    };

    /// <summary>The VRs whose value may hold several values separated by a backslash; LT and ST are one text each.</summary>
    private static bool IsMultiValued(string vr) => vr is not ("LT" or "ST");

    /// <summary><paramref name="value"/>, copied from another file into an attribute of VM 1 and <paramref name="vr"/>, made
    /// to fit: its first value only; SH, LO and PN without control characters and cut at the maximum (a PN at three
    /// component groups of five components); CS, DA, TM and UI kept only when they match their format. Null when nothing
    /// is left.</summary>
    public static string? Copied(string vr, string? value)
    {
        if (string.IsNullOrEmpty(value)) return null;
        int delimiter = value.IndexOf('\\', StringComparison.Ordinal);
        if (delimiter >= 0) value = value[..delimiter];
        string? fitted = vr switch
        {
            "SH" or "LO" => Truncated(WithoutControls(value), MaximumLength[vr]),
            "PN" => string.Join('=', WithoutControls(value).Split('=').Take(3).Select(g => Truncated(string.Join('^', g.Split('^').Take(5)), MaximumLength["PN"]))),
            _ => Fits(vr, value.Trim(' ')) ? value.Trim(' ') : null,
        };
        fitted = fitted?.Trim(' ');
        return string.IsNullOrEmpty(fitted) ? null : fitted;
    }

    /// <summary>Whether <paramref name="value"/> (padding removed) is a valid value of <paramref name="vr"/>: every value
    /// within the maximum length and in the VR's character repertoire or format. A VR without a rule here fits.</summary>
    public static bool Fits(string vr, string value)
    {
        if (!MaximumLength.TryGetValue(vr, out int maximum)) return true;
        var values = IsMultiValued(vr) ? value.Split('\\') : [value];
        foreach (var v in values)
        {
            bool fits = vr switch
            {
                "SH" or "LO" => Characters(v) <= maximum && !HasControl(v, allowFormatting: false),
                "ST" or "LT" => Characters(v) <= maximum && !HasControl(v, allowFormatting: true),
                // At most three component groups (alphabetic, ideographic, phonetic) of at most five components each.
                "PN" => v.Split('=') is { Length: <= 3 } groups && groups.All(g => Characters(g) <= maximum && g.Split('^').Length <= 5)
                    && !HasControl(v, allowFormatting: false),
                "CS" => v.Length <= maximum && v.All(c => c is (>= 'A' and <= 'Z') or (>= '0' and <= '9') or ' ' or '_'),
                "DA" => v.Length == 0 || DateOnly.TryParseExact(v, "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _),
                "TM" => v.Length == 0 || IsTime(v),
                "UI" => v.Length <= maximum && v.All(c => c is (>= '0' and <= '9') or '.'),
                _ => Encoding.UTF8.GetByteCount(v) <= maximum && v.All(c => c is >= ' ' and <= '~'),
            };
            if (!fits) return false;
        }
        return true;
    }

    /// <summary>HHMMSS.FFFFFF, each part after the hours optional (PS3.5 Table 6.2-1, TM).</summary>
    private static bool IsTime(string v)
    {
        if (v.Length > 13 || v.Length < 2 || v.Length is 3 or 5 or 7) return false;
        if (!v.Take(Math.Min(v.Length, 6)).All(char.IsAsciiDigit)) return false;
        if (int.Parse(v.AsSpan(0, 2), CultureInfo.InvariantCulture) > 23) return false;
        if (v.Length >= 4 && int.Parse(v.AsSpan(2, 2), CultureInfo.InvariantCulture) > 59) return false;
        if (v.Length >= 6 && int.Parse(v.AsSpan(4, 2), CultureInfo.InvariantCulture) > 60) return false;
        return v.Length <= 6 || (v[6] == '.' && v.Length > 7 && v.AsSpan(7).IndexOfAnyExceptInRange('0', '9') < 0);
    }

    private static int Characters(string v) => v.EnumerateRunes().Count();

    /// <summary>C0 control characters and DEL; ST and LT may hold the formatting ones (TAB, LF, FF, CR).</summary>
    private static bool HasControl(string v, bool allowFormatting) =>
        v.Any(c => (c < ' ' || c == '\x7F') && !(allowFormatting && c is '\t' or '\n' or '\f' or '\r'));

    private static string WithoutControls(string v) => string.Concat(v.Where(c => c >= ' ' && c != '\x7F'));

    /// <summary><paramref name="v"/> as it is when it is at most <paramref name="maximum"/> characters; else cut to its
    /// longest start of at most <paramref name="maximum"/> characters that is also at most <paramref name="maximum"/> bytes
    /// in UTF-8, ending at a character boundary. A value within the standard's limit is never altered; a value that must be
    /// cut anyway is cut to fit readers that count the limit in bytes too (dicom3tools' dciodvfy does, and a multi-byte
    /// value within 64 characters may not be within 64 bytes).</summary>
    private static string Truncated(string v, int maximum)
    {
        if (Characters(v) <= maximum) return v;
        int characters = 0, bytes = 0, end = 0;
        foreach (var rune in v.EnumerateRunes())
        {
            if (characters == maximum || bytes + rune.Utf8SequenceLength > maximum) break;
            characters++;
            bytes += rune.Utf8SequenceLength;
            end += rune.Utf16SequenceLength;
        }
        return v[..end];
    }
}
