using System.Buffers.Binary;
using System.Text;
using XrayClassifier.Function.Dicom;
using XrayClassifier.Function.Dicom.StructuredReport;
using XrayClassifier.Function.Dicom.Writing;

namespace XrayClassifier.Fuzz.Targets;

/// <summary>The SR writer's input: whatever identity the Part 10 parser reads from a hostile file becomes a report that
/// the same parser reads back with that identity fitted to its VRs (writer and reader symmetric), whatever its text and
/// character set; and every text value of the report, walked element by element through its sequences, fits its VR
/// (PS3.5 Table 6.2-1: length, repertoire, format).</summary>
internal static class StructuredReportTarget
{
    private const string Name = "sr";

    private static readonly ReportedFinding[] Findings =
        [new("Effusion", 0.75f, 0.5f, true), new("Pleural_Thickening", float.NaN, 0.5f, false)];

    private static readonly ReportedAlgorithm Algorithm = new("XrayClassifier", "fuzz-model", ["1", "0"], "2.25.1");

    public static FuzzTarget Create() => new()
    {
        Name = Name,
        Promise = "Any identity the parser reads is written into an SR that the parser reads back with the same identity fitted to its VRs, every value of which fits its VR; only the source's DicomRejectedException escapes.",
        Exercise = Exercise,
        IsRejection = e => e is DicomRejectedException,
        AllocationBudget = length => 4 * 1024 * 1024 + 32L * length,
        Seeds = root => Seeds.Dicom(root).Append(("hostile-identity", HostileIdentity())),
    };

    /// <summary>A source whose patient and study text breaks its VRs: over-long PN, LO and SH (multi-byte UTF-8 too), a
    /// second value where one is allowed, a date and time in the wrong format, a sex no one enumerates.</summary>
    private static byte[] HostileIdentity() => DicomWriter.Part10(DicomWriter.ExplicitVrLittleEndian, new DicomWriter()
        .Text(0x0008, 0x0005, "CS", "ISO_IR 192")
        .Text(0x0008, 0x0016, "UI", "1.2.840.10008.5.1.4.1.1.1.1").Text(0x0008, 0x0018, "UI", "1.2.3.4.5")
        .Text(0x0008, 0x0020, "DA", "2024-01-15").Text(0x0008, 0x0030, "TM", "12:30:00")
        .Text(0x0008, 0x0050, "SH", "ACCESSION-NUMBER-TOO-LONG").Text(0x0008, 0x0060, "CS", "DX")
        .Text(0x0008, 0x0090, "PN", "DR^" + new string('Ö', 70))
        .Text(0x0010, 0x0010, "PN", new string('N', 70) + "^A^B^C^D^E^F=X=Y=Z").Text(0x0010, 0x0020, "LO", new string('9', 80) + "\\SECOND")
        .Text(0x0010, 0x0030, "DA", "19511303").Text(0x0010, 0x0040, "CS", "unknown")
        .Text(0x0020, 0x000D, "UI", "1.2.3.4.1").Text(0x0020, 0x000E, "UI", "1.2.3.4.2").Text(0x0020, 0x0010, "SH", "S\tTUDY-ID-OVER-16")
        .GreyImage(2, 2, bits: 8).Element(0x7FE0, 0x0010, "OB", [1, 2, 3, 4]).ToArray());

    private static void Exercise(byte[] input)
    {
        var source = Part10Parser.Parse(input, DicomTargets.Limits).Identity;
        var (file, _, sopInstanceUid, _) = ClassificationReport.Write(source, Findings, Algorithm, DateTimeOffset.UnixEpoch);
        ParsedDicom read;
        try { read = Part10Parser.Parse(file, DicomTargets.Limits with { MaxBytes = int.MaxValue }); }
        catch (DicomRejectedException e) { throw new ContractViolation(Name, "the parser refuses the report written", e); }
        int position = 132;
        EveryValueFitsItsVr(file, ref position, file.Length);
        var back = read.Identity;
        Contract.Require(Name, read.Attributes.SopClassUid == ClassificationReport.ComprehensiveThreeDSrSopClass, "SOP Class UID not read back");
        Contract.Require(Name, back.SopInstanceUid == sopInstanceUid, "SOP Instance UID not read back");
        Same(TextValues.Copied("PN", source.PatientName), back.PatientName, "Patient's Name");
        Same(TextValues.Copied("LO", source.PatientId), back.PatientId, "Patient ID");
        Same(TextValues.Copied("DA", source.PatientBirthDate), back.PatientBirthDate, "Patient's Birth Date");
        Same(TextValues.Copied("CS", source.PatientSex) is { } sex && sex is "M" or "F" or "O" ? sex : null, back.PatientSex, "Patient's Sex");
        Same(TextValues.Copied("DA", source.StudyDate), back.StudyDate, "Study Date");
        Same(TextValues.Copied("TM", source.StudyTime), back.StudyTime, "Study Time");
        Same(TextValues.Copied("PN", source.ReferringPhysicianName), back.ReferringPhysicianName, "Referring Physician's Name");
        Same(TextValues.Copied("SH", source.StudyId), back.StudyId, "Study ID");
        Same(TextValues.Copied("SH", source.AccessionNumber), back.AccessionNumber, "Accession Number");
        if (source.StudyInstanceUid is not null) Same(source.StudyInstanceUid, back.StudyInstanceUid, "Study Instance UID");
        Contract.Require(Name, back.SeriesInstanceUid is not null && back.SeriesInstanceUid != source.SeriesInstanceUid, "no new series");
    }

    /// <summary>The VRs whose explicit-VR header has a 32-bit length (PS3.5 Table 7.1-1); the others have 16 bits.</summary>
    private static bool HasLongLength(string vr) =>
        vr is "OB" or "OD" or "OF" or "OL" or "OV" or "OW" or "SQ" or "SV" or "UC" or "UN" or "UR" or "UT" or "UV";

    /// <summary>Walks an Explicit VR Little Endian data set (the report's, after its preamble) through its sequences and
    /// items; each text value, padding removed, must fit its VR. Returns at the end or at an item or sequence delimiter.</summary>
    private static void EveryValueFitsItsVr(byte[] file, ref int position, int end)
    {
        while (position < end)
        {
            Contract.Require(Name, end - position >= 8, $"an element header cut short at byte {position}");
            ushort group = BinaryPrimitives.ReadUInt16LittleEndian(file.AsSpan(position));
            ushort element = BinaryPrimitives.ReadUInt16LittleEndian(file.AsSpan(position + 2));
            if (group == 0xFFFE)
            {
                uint itemLength = BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(position + 4));
                position += 8;
                if (element != 0xE000) return;
                if (itemLength == uint.MaxValue) EveryValueFitsItsVr(file, ref position, end);
                else EveryValueFitsItsVr(file, ref position, checked(position + (int)itemLength));
                continue;
            }
            string vr = Encoding.ASCII.GetString(file, position + 4, 2);
            uint length;
            if (HasLongLength(vr))
            {
                length = BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(position + 8));
                position += 12;
            }
            else
            {
                length = BinaryPrimitives.ReadUInt16LittleEndian(file.AsSpan(position + 6));
                position += 8;
            }
            if (vr == "SQ")
            {
                if (length == uint.MaxValue) EveryValueFitsItsVr(file, ref position, end);
                else EveryValueFitsItsVr(file, ref position, checked(position + (int)length));
                continue;
            }
            Contract.Require(Name, length <= end - position, $"({group:X4},{element:X4}) runs past its item");
            if (TextValues.MaximumLength.ContainsKey(vr))
            {
                string text = Encoding.UTF8.GetString(file, position, (int)length).TrimEnd('\0').Trim(' ');
                // Only lengths in the message: the values are patient data.
                Contract.Require(Name, TextValues.Fits(vr, text), $"({group:X4},{element:X4}) {vr} value of {text.Length} characters does not fit its VR");
            }
            position += (int)length;
        }
    }

    private static void Same(string? written, string? read, string what) =>
        Contract.Require(Name, written == read, $"{what} written as {Quote(written)} reads back as {Quote(read)}");

    private static string Quote(string? s) => s is null ? "nothing" : $"{s.Length} characters";
}
