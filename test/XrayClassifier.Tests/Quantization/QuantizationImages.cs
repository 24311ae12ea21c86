using XrayClassifier.ModelGen;
using XrayClassifier.Tests.TestHelpers;

namespace XrayClassifier.Tests.Quantization;

/// <summary>
/// Realistic synthetic radiographs (ModelGen's chest phantom with film artefacts: collimator edges, an R marker,
/// burned-in text, grain) in two folders written once per test run: 12 to calibrate on (8- and 16-bit PNG, and two
/// 12-bit DICOM DX files written by pydicom, as a site's calibration set would hold) and 4 others, different phantoms
/// never calibrated on, for the agreement. Modest counts: the machine is shared, and the DenseNet-121 run is in CI.
/// </summary>
public sealed class QuantizationImages : IDisposable
{
    /// <summary>Calibration phantoms written as DICOM instead of PNG.</summary>
    public static readonly int[] DicomSeeds = [105, 110];

    private readonly TempDirectory _root = TestEnvironment.CreateTempDirectory("xray-quantize");

    public QuantizationImages()
    {
        Calibration = Write("calibration", seeds: Enumerable.Range(101, 12));
        HeldOut = Write("held-out", seeds: Enumerable.Range(201, 4));
    }

    public string Calibration { get; }
    public string HeldOut { get; }
    public string Root => _root.Path;

    private string Write(string folder, IEnumerable<int> seeds)
    {
        var dir = _root.Combine(folder);
        Directory.CreateDirectory(dir);
        var dicom = new List<string>();
        foreach (var seed in seeds)
        {
            int w = 640 + seed % 7 * 16, h = 760 + seed % 5 * 16;
            var film = FilmArtefacts.Apply(SampleImages.ChestXray(w, h, seed), seed);
            if (DicomSeeds.Contains(seed))
            {
                // 16-bit samples to 12 bits stored, as a DX detector writes them; pydicom wraps them below.
                var raw = Path.Combine(_root.Path, $"xray-{seed}.raw");
                File.WriteAllBytes(raw, [.. film.Samples.SelectMany(s => BitConverter.GetBytes((ushort)(s >> 4)))]);
                dicom.AddRange([raw, Path.Combine(dir, $"xray-{seed}.dcm"), h.ToString(), w.ToString()]);
                continue;
            }
            var png = seed % 2 == 0 ? PngWriter.Grey16(w, h, film.Samples) : PngWriter.Grey8(w, h, film.To8Bit());
            File.WriteAllBytes(Path.Combine(dir, $"xray-{seed}.png"), png);
        }
        if (dicom.Count > 0) Python.RunCode(DicomScript, [.. dicom]);
        return dir;
    }

    // Explicit VR Little Endian DX image, MONOCHROME2, 12 of 16 bits stored, a window over the full range; made-up patient.
    private const string DicomScript = """
        import sys
        import numpy as np
        from pydicom.dataset import Dataset, FileMetaDataset
        from pydicom.uid import ExplicitVRLittleEndian, generate_uid
        args = sys.argv[1:]
        for raw, out, rows, cols in zip(args[0::4], args[1::4], args[2::4], args[3::4]):
            rows, cols = int(rows), int(cols)
            pixels = np.fromfile(raw, dtype="<u2").reshape(rows, cols)
            meta = FileMetaDataset()
            meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.1.1"
            meta.MediaStorageSOPInstanceUID = generate_uid()
            meta.TransferSyntaxUID = ExplicitVRLittleEndian
            ds = Dataset()
            ds.file_meta = meta
            ds.SOPClassUID = meta.MediaStorageSOPClassUID
            ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
            ds.PatientName, ds.PatientID = "TESTPERSON^CALIBRATION", "PID-CAL-0001"
            ds.Modality, ds.BodyPartExamined, ds.ViewPosition = "DX", "CHEST", "PA"
            ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
            ds.Rows, ds.Columns = rows, cols
            ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 12, 11, 0
            ds.WindowCenter, ds.WindowWidth = 2048, 4096
            ds.PixelData = pixels.tobytes()
            ds.is_little_endian, ds.is_implicit_VR = True, False
            ds.save_as(out, write_like_original=False)
        """;

    public void Dispose() => _root.Dispose();
}
