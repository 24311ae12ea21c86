using XrayClassifier.Function.Dicom.Writing;
using XrayClassifier.ModelGen;

namespace XrayClassifier.Local.Commands;

/// <summary>A chest radiograph as a modality sends it: a DX "For Presentation" PA image of the project's synthetic chest
/// (<see cref="SampleImages.ChestXray"/>: lungs, heart, ribs, collimation, burned-in text) in 12 of 16 bits, unsigned, as a
/// flat-panel detector stores them, with a made-up patient and the study, series and instance UIDs given. What
/// <c>sample-xray OUT.dcm</c> writes and what the tests send to Orthanc, STOW-RS and the SR: one DICOM writer for it.</summary>
internal static class SampleDicom
{
    public const string DigitalXRayForPresentation = "1.2.840.10008.5.1.4.1.1.1.1";
    public const string PatientName = "TESTPERSON^JANE";
    public const string PatientId = "PID-4711-XYZ";

    /// <summary>The Part 10 file. At 1024 × 1280 it is 2.6 MB: within Lambda's 6 MB event once base64-encoded.</summary>
    public static byte[] ChestRadiograph(int width, int height, int seed, string study, string series, string instance)
    {
        var image = SampleImages.ChestXray(width, height, seed);
        var pixels = new byte[image.Samples.Length * 2];
        for (int i = 0; i < image.Samples.Length; i++) BitConverter.TryWriteBytes(pixels.AsSpan(i * 2), (ushort)(image.Samples[i] >> 4));
        var w = new DicomWriter()
            .Text(0x0008, 0x0005, "CS", "ISO_IR 192")
            .Text(0x0008, 0x0008, "CS", "ORIGINAL\\PRIMARY")
            .Text(0x0008, 0x0016, "UI", DigitalXRayForPresentation)
            .Text(0x0008, 0x0018, "UI", instance)
            .Text(0x0008, 0x0020, "DA", "20261130")
            .Text(0x0008, 0x0030, "TM", "101500")
            .Text(0x0008, 0x0050, "SH", "ACC-99887766")
            .Text(0x0008, 0x0060, "CS", "DX")
            .Text(0x0008, 0x0068, "CS", "FOR PRESENTATION")
            .Text(0x0008, 0x0090, "PN", "DOC^WHO")
            .Text(0x0010, 0x0010, "PN", PatientName)
            .Text(0x0010, 0x0020, "LO", PatientId)
            .Text(0x0010, 0x0030, "DA", "19510203")
            .Text(0x0010, 0x0040, "CS", "F")
            .Text(0x0018, 0x0015, "CS", "CHEST")
            .Text(0x0018, 0x5101, "CS", "PA")
            .Text(0x0020, 0x000D, "UI", study)
            .Text(0x0020, 0x000E, "UI", series)
            .Text(0x0020, 0x0010, "SH", "4711")
            .Integer(0x0020, 0x0011, 1)
            .Integer(0x0020, 0x0013, 1)
            .UnsignedShort(0x0028, 0x0002, 1).Text(0x0028, 0x0004, "CS", "MONOCHROME2")
            .UnsignedShort(0x0028, 0x0010, (ushort)height).UnsignedShort(0x0028, 0x0011, (ushort)width)
            .UnsignedShort(0x0028, 0x0100, 16).UnsignedShort(0x0028, 0x0101, 12).UnsignedShort(0x0028, 0x0102, 11).UnsignedShort(0x0028, 0x0103, 0)
            .Element(0x7FE0, 0x0010, "OW", pixels);
        return DicomWriter.Part10(new FileMetaInformation(DigitalXRayForPresentation, instance), w.ToArray());
    }
}
