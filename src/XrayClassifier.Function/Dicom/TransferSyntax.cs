using System.Text.RegularExpressions;
using XrayClassifier.Function.Dicom.Codecs;

namespace XrayClassifier.Function.Dicom;

/// <summary>A transfer syntax this decoder reads: how the data set and its pixels are encoded. The table
/// <see cref="Supported"/> is what "supported" means: the syntaxes <see cref="Of"/> accepts, the codec that
/// decodes each one's Pixel Data, and the list a 415 names.</summary>
/// <param name="Uid">The transfer syntax UID from (0002,0010).</param>
/// <param name="Name">Its name in PS3.6.</param>
/// <param name="ExplicitVr">Whether data elements carry their VR.</param>
/// <param name="Deflated">Whether the data set after the meta header is raw-deflated.</param>
/// <param name="Codec">How Pixel Data is stored, and how its first frame is read.</param>
/// <param name="ListedAs">How the 415's list of accepted syntaxes names it; syntaxes sharing a name are listed once.</param>
internal sealed partial record TransferSyntax(string Uid, string Name, bool ExplicitVr, bool Deflated, IPixelCodec Codec, string ListedAs)
{
    private const string LittleEndian = "Implicit or Explicit VR Little Endian";
    private const string JpegLossless = "JPEG Lossless (Process 14)";

    public static readonly TransferSyntax ImplicitVrLittleEndian = new("1.2.840.10008.1.2", "Implicit VR Little Endian", false, false, new NativeCodec(), LittleEndian);
    public static readonly TransferSyntax ExplicitVrLittleEndian = new("1.2.840.10008.1.2.1", "Explicit VR Little Endian", true, false, new NativeCodec(), LittleEndian);

    /// <summary>Every transfer syntax this service decodes, in the order the 415 lists them.</summary>
    public static readonly IReadOnlyList<TransferSyntax> Supported =
    [
        ImplicitVrLittleEndian,
        ExplicitVrLittleEndian,
        new("1.2.840.10008.1.2.1.99", "Deflated Explicit VR Little Endian", true, true, new NativeCodec(), "Deflated Explicit VR Little Endian"),
        new("1.2.840.10008.1.2.5", "RLE Lossless", true, false, new RleCodec(), "RLE Lossless"),
        new("1.2.840.10008.1.2.4.50", "JPEG Baseline (Process 1)", true, false, new JpegBaselineCodec(), "JPEG Baseline"),
        new("1.2.840.10008.1.2.4.57", "JPEG Lossless, Non-Hierarchical (Process 14)", true, false, new JpegLosslessCodec(), JpegLossless),
        new("1.2.840.10008.1.2.4.70", "JPEG Lossless, Non-Hierarchical, First-Order Prediction (Process 14 [Selection Value 1])", true, false, new JpegLosslessCodec(), JpegLossless),
    ];

    private const string Decompress = "`gdcmconv --raw in.dcm out.dcm` (gdcm)";
    private const string Video = "it is video: export the frame to classify as a still image (e.g. a PNG) or a Secondary Capture in Explicit VR Little Endian";

    // Names and the tool that undoes each encoding, so a 415 tells the user exactly what to run.
    private static readonly Dictionary<string, (string Name, string Convert)> Refused = new()
    {
        ["1.2.840.10008.1.2.2"] = ("Explicit VR Big Endian", "`dcmconv +te in.dcm out.dcm` (dcmtk) or " + Decompress),
        ["1.2.840.10008.1.2.1.98"] = ("Encapsulated Uncompressed Explicit VR Little Endian", "`dcmconv +te in.dcm out.dcm` (dcmtk) or " + Decompress),
        ["1.2.840.10008.1.2.4.51"] = ("JPEG Extended (Process 2 & 4), 12-bit lossy", "`dcmdjpeg in.dcm out.dcm` (dcmtk) or " + Decompress),
        ["1.2.840.10008.1.2.4.80"] = ("JPEG-LS Lossless", "`dcmdjpls in.dcm out.dcm` (dcmtk) or " + Decompress),
        ["1.2.840.10008.1.2.4.81"] = ("JPEG-LS Lossy (Near-Lossless)", "`dcmdjpls in.dcm out.dcm` (dcmtk) or " + Decompress),
        ["1.2.840.10008.1.2.4.90"] = ("JPEG 2000 (Lossless Only)", Decompress),
        ["1.2.840.10008.1.2.4.91"] = ("JPEG 2000", Decompress),
        ["1.2.840.10008.1.2.4.92"] = ("JPEG 2000 Part 2 Multi-component (Lossless Only)", Decompress),
        ["1.2.840.10008.1.2.4.93"] = ("JPEG 2000 Part 2 Multi-component", Decompress),
        ["1.2.840.10008.1.2.4.94"] = ("JPIP Referenced", "the pixels are not in the file: retrieve them and save the image as Explicit VR Little Endian"),
        ["1.2.840.10008.1.2.4.95"] = ("JPIP Referenced Deflate", "the pixels are not in the file: retrieve them and save the image as Explicit VR Little Endian"),
        ["1.2.840.10008.1.2.4.100"] = ("MPEG2 Main Profile / Main Level", Video),
        ["1.2.840.10008.1.2.4.100.1"] = ("Fragmentable MPEG2 Main Profile / Main Level", Video),
        ["1.2.840.10008.1.2.4.101"] = ("MPEG2 Main Profile / High Level", Video),
        ["1.2.840.10008.1.2.4.101.1"] = ("Fragmentable MPEG2 Main Profile / High Level", Video),
        ["1.2.840.10008.1.2.4.102"] = ("MPEG-4 AVC/H.264 High Profile / Level 4.1", Video),
        ["1.2.840.10008.1.2.4.102.1"] = ("Fragmentable MPEG-4 AVC/H.264 High Profile / Level 4.1", Video),
        ["1.2.840.10008.1.2.4.103"] = ("MPEG-4 AVC/H.264 BD-compatible High Profile / Level 4.1", Video),
        ["1.2.840.10008.1.2.4.103.1"] = ("Fragmentable MPEG-4 AVC/H.264 BD-compatible High Profile / Level 4.1", Video),
        ["1.2.840.10008.1.2.4.104"] = ("MPEG-4 AVC/H.264 High Profile / Level 4.2 For 2D Video", Video),
        ["1.2.840.10008.1.2.4.104.1"] = ("Fragmentable MPEG-4 AVC/H.264 High Profile / Level 4.2 For 2D Video", Video),
        ["1.2.840.10008.1.2.4.105"] = ("MPEG-4 AVC/H.264 High Profile / Level 4.2 For 3D Video", Video),
        ["1.2.840.10008.1.2.4.105.1"] = ("Fragmentable MPEG-4 AVC/H.264 High Profile / Level 4.2 For 3D Video", Video),
        ["1.2.840.10008.1.2.4.106"] = ("MPEG-4 AVC/H.264 Stereo High Profile / Level 4.2", Video),
        ["1.2.840.10008.1.2.4.106.1"] = ("Fragmentable MPEG-4 AVC/H.264 Stereo High Profile / Level 4.2", Video),
        ["1.2.840.10008.1.2.4.107"] = ("HEVC/H.265 Main Profile / Level 5.1", Video),
        ["1.2.840.10008.1.2.4.108"] = ("HEVC/H.265 Main 10 Profile / Level 5.1", Video),
        ["1.2.840.10008.1.2.4.201"] = ("High-Throughput JPEG 2000 (Lossless Only)", "decompress it with a toolkit that reads HTJ2K and save it as Explicit VR Little Endian"),
        ["1.2.840.10008.1.2.4.202"] = ("High-Throughput JPEG 2000 with RPCL Options (Lossless Only)", "decompress it with a toolkit that reads HTJ2K and save it as Explicit VR Little Endian"),
        ["1.2.840.10008.1.2.4.203"] = ("High-Throughput JPEG 2000", "decompress it with a toolkit that reads HTJ2K and save it as Explicit VR Little Endian"),
        ["1.2.840.10008.1.2.4.52"] = ("JPEG Extended (Process 3 & 5) (retired)", "`dcmdjpeg in.dcm out.dcm` (dcmtk)"),
        ["1.2.840.10008.1.2.4.53"] = ("JPEG Spectral Selection, Non-Hierarchical (Process 6 & 8) (retired)", "`dcmdjpeg in.dcm out.dcm` (dcmtk)"),
        ["1.2.840.10008.1.2.4.55"] = ("JPEG Full Progression, Non-Hierarchical (Process 10 & 12) (retired)", "`dcmdjpeg in.dcm out.dcm` (dcmtk)"),
        ["1.2.840.10008.1.2.4.58"] = ("JPEG Lossless, Non-Hierarchical (Process 15) (retired)", Decompress),
    };

    /// <summary>The sentence every 415 ends with, made from <see cref="Supported"/> so it cannot disagree with it.</summary>
    private static readonly string Accepted = AcceptedSentence();

    private static string AcceptedSentence()
    {
        var names = Supported.Select(ts => ts.ListedAs).Distinct().ToList();
        return names.Count == 1 ? $"Accepted: {names[0]}." : $"Accepted: {string.Join(", ", names.Take(names.Count - 1))} and {names[^1]}.";
    }

    /// <summary>The supported transfer syntax with this UID; any other is refused, named, with how to convert it.</summary>
    public static TransferSyntax Of(string uid)
    {
        foreach (var ts in Supported)
            if (ts.Uid == uid) return ts;
        if (Refused.TryGetValue(uid, out var refused))
            throw new DicomRejectedException(DicomRejection.UnsupportedTransferSyntax,
                $"The DICOM file is encoded as {refused.Name} ({uid}), which this service does not decode. Convert it first: {refused.Convert}. {Accepted}");
        // A UID is digits and dots; anything else is not echoed, since it could be any text at all.
        string shown = UidText().IsMatch(uid) ? $"the unknown transfer syntax {uid}" : "a malformed transfer syntax UID";
        throw new DicomRejectedException(DicomRejection.UnsupportedTransferSyntax,
            $"The DICOM file names {shown}, which this service does not decode. Re-save it uncompressed, e.g. {Decompress}. {Accepted}");
    }

    [GeneratedRegex("^[0-9.]{1,64}$")]
    private static partial Regex UidText();
}
