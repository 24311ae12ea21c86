using XrayClassifier.Function.Dicom.Writing;
using XrayClassifier.Local.Commands;
using XrayClassifier.Tests.TestHelpers;

namespace XrayClassifier.Tests.Orthanc;

/// <summary>A chest radiograph as a modality sends it, as the local tool's <c>sample-xray OUT.dcm</c> writes it
/// (<see cref="SampleDicom"/>), with the made-up patient of <see cref="Dicom.PatientData"/>, its own study, series and
/// instance UIDs.</summary>
internal sealed class ChestRadiograph
{
    public const string DigitalXRayForPresentation = SampleDicom.DigitalXRayForPresentation;
    public const string PatientName = SampleDicom.PatientName;
    public const string PatientId = SampleDicom.PatientId;

    private ChestRadiograph(byte[] file, string study, string series, string instance)
    {
        File = file;
        StudyInstanceUid = study;
        SeriesInstanceUid = series;
        SopInstanceUid = instance;
    }

    public byte[] File { get; }
    public string StudyInstanceUid { get; }
    public string SeriesInstanceUid { get; }
    public string SopInstanceUid { get; }

    /// <summary>At 1024 × 1280 the uncompressed file is 2.6 MB: within Lambda's 6 MB event once base64-encoded.</summary>
    public static ChestRadiograph Create(int width = 1024, int height = 1280, int seed = 3)
    {
        string study = DicomUid.New(), series = DicomUid.New(), instance = DicomUid.New();
        return new ChestRadiograph(SampleDicom.ChestRadiograph(width, height, seed, study, series, instance), study, series, instance);
    }

    /// <summary>The same instance in JPEG 2000 (lossless), which the function refuses (C122): gdcmconv, GDCM's converter.</summary>
    public byte[] AsJpeg2000(TempDirectory directory)
    {
        string source = directory.Combine($"{SopInstanceUid}.dcm"), target = directory.Combine($"{SopInstanceUid}.j2k.dcm");
        System.IO.File.WriteAllBytes(source, File);
        ProcessRunner.Run(new ProcessCommand("gdcmconv", "--j2k", source, target), TimeSpan.FromSeconds(120)).EnsureSuccess();
        return System.IO.File.ReadAllBytes(target);
    }
}
