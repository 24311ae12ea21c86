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
}
