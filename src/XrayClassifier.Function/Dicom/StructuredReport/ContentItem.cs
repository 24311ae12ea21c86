using XrayClassifier.Function.Dicom.Writing;

namespace XrayClassifier.Function.Dicom.StructuredReport;

/// <summary>
/// One SR content item (PS3.3 §C.17.3: Document Content Macro, Document Relationship Macro) and its children by value,
/// written as an item data set of (0040,A730) Content Sequence, attributes in tag order. Only the value types the
/// classification report uses: CONTAINER, CODE, NUM, TEXT, UIDREF, IMAGE.
/// </summary>
internal sealed class ContentItem
{
    private readonly string _valueType;
    private readonly CodedConcept? _name;
    private readonly Action<DicomWriter> _value;
    private readonly List<(string Relationship, ContentItem Child)> _children = [];

    private ContentItem(string valueType, CodedConcept? name, Action<DicomWriter> value)
    {
        _valueType = valueType;
        _name = name;
        _value = value;
    }

    public static ContentItem Container(CodedConcept name) => new("CONTAINER", name, _ => { });

    public static ContentItem Code(CodedConcept name, CodedConcept value) =>
        new("CODE", name, w => w.Sequence(0x0040, 0xA168, c => Write(c, value)));

    public static ContentItem Text(CodedConcept name, string value) => new("TEXT", name, w => w.Text(0x0040, 0xA160, "UT", value));

    public static ContentItem UidRef(CodedConcept name, string uid) => new("UIDREF", name, w => w.Text(0x0040, 0xA124, "UI", uid));

    /// <summary>A NUM: a finite value as DS (and exactly as FD), in <paramref name="unit"/>; NaN or ±∞ as an empty Measured
    /// Value Sequence with the Numeric Value Qualifier "Not a number" (PS3.3 §C.18.1).</summary>
    public static ContentItem Number(CodedConcept name, float value, CodedConcept unit) => new("NUM", name, w =>
    {
        if (float.IsFinite(value))
            w.Sequence(0x0040, 0xA300, m => m.Sequence(0x0040, 0x08EA, u => Write(u, unit)).Double(0x0040, 0xA161, value).Decimal(0x0040, 0xA30A, value));
        else
            w.Sequence(0x0040, 0xA300, []).Sequence(0x0040, 0xA301, q => Write(q, SrCodes.NotANumber));
    });

    /// <summary>An IMAGE with no concept name, referencing one instance (SOP Instance Reference Macro).</summary>
    public static ContentItem Image(string sopClassUid, string sopInstanceUid) => new("IMAGE", null, _ => { })
    {
        ReferencedSop = (sopClassUid, sopInstanceUid),
    };

    private (string ClassUid, string InstanceUid)? ReferencedSop { get; init; }

    public ContentItem Add(string relationship, ContentItem child)
    {
        _children.Add((relationship, child));
        return this;
    }

    /// <summary>The root's own attributes in the top-level data set (no relationship type): value type, concept name
    /// (the document title), continuity. The caller writes the attributes between these and the content.</summary>
    public void WriteRoot(DicomWriter w)
    {
        w.Text(0x0040, 0xA040, "CS", _valueType);
        w.Sequence(0x0040, 0xA043, c => Write(c, _name!.Value));
        w.Text(0x0040, 0xA050, "CS", "SEPARATE");
    }

    /// <summary>The children of this item, as the Content Sequence.</summary>
    public void WriteContent(DicomWriter w) =>
        w.Sequence(0x0040, 0xA730, [.. _children.Select(c => c.Child.ItemBytes(w, c.Relationship))]);

    private byte[] ItemBytes(DicomWriter parent, string relationship)
    {
        var w = parent.NewItem();
        if (ReferencedSop is { } sop)
            w.Sequence(0x0008, 0x1199, r => r.Text(0x0008, 0x1150, "UI", sop.ClassUid).Text(0x0008, 0x1155, "UI", sop.InstanceUid));
        w.Text(0x0040, 0xA010, "CS", relationship);
        w.Text(0x0040, 0xA040, "CS", _valueType);
        if (_name is { } name) w.Sequence(0x0040, 0xA043, c => Write(c, name));
        if (_valueType == "CONTAINER") w.Text(0x0040, 0xA050, "CS", "SEPARATE");
        _value(w);
        if (_children.Count > 0) WriteContent(w);
        return w.ToArray();
    }

    /// <summary>The Code Sequence Macro's attributes of one code: Code Value (SH, ≤ 16 characters) or, for a longer
    /// value, Long Code Value (UC); Coding Scheme Designator; Code Meaning (LO, ≤ 64 characters).</summary>
    public static void Write(DicomWriter w, CodedConcept code)
    {
        bool shortValue = code.Value.Length <= 16;
        if (shortValue) w.Text(0x0008, 0x0100, "SH", code.Value);
        w.Text(0x0008, 0x0102, "SH", code.Scheme);
        w.Text(0x0008, 0x0104, "LO", code.Meaning.Length <= 64 ? code.Meaning : code.Meaning[..64]);
        if (!shortValue) w.Text(0x0008, 0x0119, "UC", code.Value);
    }
}
