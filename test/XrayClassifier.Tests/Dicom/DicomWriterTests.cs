using System.Text.Json;

namespace XrayClassifier.Tests.Dicom;

/// <summary>The tests' and fuzz seeds' DICOM writer against a second implementation: pydicom reads what it writes,
/// in Explicit and Implicit VR Little Endian, with the values, padding and sequence it was given.</summary>
public sealed class DicomWriterTests
{
    private const string Read = """
        import json, sys, pydicom
        d = pydicom.dcmread(sys.argv[1])
        print(json.dumps({
            "syntax": str(d.file_meta.TransferSyntaxUID),
            "groupLength": d.file_meta.FileMetaInformationGroupLength,
            "modality": d.Modality, "uid": d.SOPClassUID, "rows": d.Rows, "columns": d.Columns,
            "codes": [item.CodeValue for item in d.ProcedureCodeSequence],
            "pixels": [int(v) for v in d.pixel_array.ravel()],
        }))
        """;

    [Theory]
    [InlineData(true, DicomWriter.ExplicitVrLittleEndian)]
    [InlineData(false, DicomWriter.ImplicitVrLittleEndian)]
    public void WritesPart10FilesPydicomReads(bool explicitVr, string transferSyntax)
    {
        ushort[] pixels = [0, 1, 2, 300, 4095, 7];
        var pixelBytes = new byte[pixels.Length * 2];
        for (int i = 0; i < pixels.Length; i++) BitConverter.TryWriteBytes(pixelBytes.AsSpan(2 * i), pixels[i]);
        var code = new DicomWriter(explicitVr).Text(0x0008, 0x0100, "SH", "RPID1").ToArray(); // odd: padded with a space
        var file = new DicomWriter(explicitVr)
            .Text(0x0008, 0x0016, "UI", "1.2.840.10008.5.1.4.1.1.1.1") // odd: padded with a NUL
            .Text(0x0008, 0x0060, "CS", "DX")
            .Sequence(0x0008, 0x1032, code, undefinedLength: explicitVr)
            .GreyImage(rows: 2, columns: 3, bits: 16)
            .Element(0x7FE0, 0x0010, "OW", pixelBytes)
            .File(transferSyntax);

        using var temp = TestEnvironment.CreateTempDirectory("xray-dicom-writer");
        var path = Path.Combine(temp.Path, "written.dcm");
        File.WriteAllBytes(path, file);
        var read = JsonDocument.Parse(Python.RunCode(Read, path)).RootElement;

        Assert.Equal(transferSyntax, read.GetProperty("syntax").GetString());
        Assert.Equal(transferSyntax.Length % 2 == 0 ? 8 + transferSyntax.Length : 9 + transferSyntax.Length, read.GetProperty("groupLength").GetInt32());
        Assert.Equal("DX", read.GetProperty("modality").GetString());
        Assert.Equal("1.2.840.10008.5.1.4.1.1.1.1", read.GetProperty("uid").GetString());
        Assert.Equal(2, read.GetProperty("rows").GetInt32());
        Assert.Equal(3, read.GetProperty("columns").GetInt32());
        Assert.Equal(["RPID1"], read.GetProperty("codes").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal(pixels.Select(p => (int)p), read.GetProperty("pixels").EnumerateArray().Select(p => p.GetInt32()));
    }

    private const string ReadMeta = """
        import json, sys, uuid, pydicom
        d = pydicom.dcmread(sys.argv[1])
        m = d.file_meta
        print(json.dumps({
            "version": list(m.FileMetaInformationVersion), "class": m.MediaStorageSOPClassUID,
            "instance": m.MediaStorageSOPInstanceUID, "syntax": str(m.TransferSyntaxUID),
            "implementation": m.ImplementationClassUID, "name": m.ImplementationVersionName,
            "name_bytes": len(d.PatientName.original_string), "patient": str(d.PatientName), "items": [str(i.CodeMeaning) for i in d.ConceptNameCodeSequence],
            "uuid": str(uuid.UUID(int=int(sys.argv[2][5:]))),
        }))
        """;

    [Fact]
    public void WritesTheWholeFileMetaUtf8TextAndDefinedLengthSequencesPydicomReads()
    {
        var guid = Guid.NewGuid();
        string uid = DicomUid.From(guid);
        var writer = new DicomWriter();
        var data = writer.Text(0x0008, 0x0005, "CS", "ISO_IR 192")
            .Text(0x0010, 0x0010, "PN", "Müller^Zoë") // 12 UTF-8 bytes for 10 characters: padded by bytes, not characters
            .Sequence(0x0040, 0xA043, [writer.NewItem().Text(0x0008, 0x0104, "LO", "first").ToArray(), writer.NewItem().Text(0x0008, 0x0104, "LO", "second").ToArray()])
            .ToArray();
        var file = DicomWriter.Part10(new FileMetaInformation("1.2.840.10008.5.1.4.1.1.88.34", uid), data);

        using var temp = TestEnvironment.CreateTempDirectory("xray-dicom-writer");
        var path = Path.Combine(temp.Path, "meta.dcm");
        File.WriteAllBytes(path, file);
        var read = JsonDocument.Parse(Python.RunCode(ReadMeta, path, uid)).RootElement;

        Assert.Equal([0, 1], read.GetProperty("version").EnumerateArray().Select(v => v.GetInt32()));
        Assert.Equal("1.2.840.10008.5.1.4.1.1.88.34", read.GetProperty("class").GetString());
        Assert.Equal(uid, read.GetProperty("instance").GetString());
        Assert.Equal(DicomWriter.ExplicitVrLittleEndian, read.GetProperty("syntax").GetString());
        Assert.Equal(DicomUid.ImplementationClassUid, read.GetProperty("implementation").GetString());
        Assert.Equal(DicomUid.ImplementationVersionName, read.GetProperty("name").GetString());
        Assert.Equal("Müller^Zoë", read.GetProperty("patient").GetString());
        Assert.Equal(12, read.GetProperty("name_bytes").GetInt32());
        Assert.Equal(["first", "second"], read.GetProperty("items").EnumerateArray().Select(i => i.GetString()));
        // 2.25.<the UUID as one decimal integer> (PS3.5 §B.2): Python's uuid reads it back as the same UUID.
        Assert.Equal(guid.ToString(), read.GetProperty("uuid").GetString());
        Assert.True(uid.Length <= 64);
        Assert.Equal(DicomUid.FromName("a model/1"), DicomUid.FromName("a model/1"));
        Assert.NotEqual(DicomUid.FromName("a model/1"), DicomUid.FromName("a model/2"));
    }
}
