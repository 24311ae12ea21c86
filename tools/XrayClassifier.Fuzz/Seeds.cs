using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using XrayClassifier.Fuzz.Targets;
using XrayClassifier.Function.Dicom.Writing;

namespace XrayClassifier.Fuzz;

/// <summary>
/// Each target's starting corpus: the repository's own fixtures where it has them (captured events, the
/// shipped manifests, the DICOM reference corpus when tools/fuzz.sh has generated it), and small inputs made
/// here for every path a parser has (each upload form, each transfer syntax and pixel encoding).
/// </summary>
public static class Seeds
{
    public const string Boundary = "XrayBoundary42";

    /// <summary>Where tools/fuzz.sh puts the DICOM files the reference scripts (test/.../Dicom/Reference) write.</summary>
    public static string DicomReferenceFolder(string root) => Path.Combine(root, "tools", "XrayClassifier.Fuzz", "corpus", "dicom-reference");

    // Smallest headers of each accepted format (the detector and the upload readers look no further).
    private static readonly byte[] Png = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, (byte)'I', (byte)'H', (byte)'D', (byte)'R', 0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0];
    private static readonly byte[] Jpeg = [0xFF, 0xD8, 0xFF, 0xE0, 0, 16, (byte)'J', (byte)'F', (byte)'I', (byte)'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0, 0xFF, 0xD9];

    public static IEnumerable<(string, byte[])> EventFixtures(string root)
    {
        var folder = Path.Combine(root, "test", "XrayClassifier.Tests", "Fixtures", "events");
        if (!Directory.Exists(folder)) yield break;
        foreach (var file in Directory.GetFiles(folder, "*.json").Order(StringComparer.Ordinal))
            yield return ("fixture-" + Path.GetFileName(file), File.ReadAllBytes(file));
    }

    public static IEnumerable<(string, byte[])> GeneratedEvents()
    {
        string b64 = Convert.ToBase64String(Png);
        const string Head = "\"httpMethod\":\"POST\",\"path\":\"/v1/classify\",\"headers\":{\"Content-Type\":\"image/png\"},\"requestContext\":{\"requestId\":\"r1\",\"stage\":\"v1\"}";
        yield return ("base64-last", Utf8($"{{{Head},\"isBase64Encoded\":true,\"body\":\"{b64}\"}}"));
        yield return ("base64-first", Utf8($"{{\"body\": \"{b64}\" , {Head},\"isBase64Encoded\":\"true\"}}"));
        yield return ("base64-padded", Utf8($"{{\"body\":\"QUJD\",\"Body\":\"QQ==\",\"isBase64Encoded\":true}}"));
        yield return ("escaped-body", Utf8($"{{{Head},\"body\":\"{{\\\"image\\\":\\\"\\/9j\\/\\\"}}\",\"isBase64Encoded\":false}}"));
        yield return ("null-body", Utf8($"{{{Head},\"body\":null,\"multiValueHeaders\":{{\"a\":[\"1\",null]}}}}"));
        yield return ("bom", [0xEF, 0xBB, 0xBF, .. Utf8($"{{\"body\":\"{b64}\"}}")]);
    }

    public static IEnumerable<(string, byte[])> GeneratedUploads()
    {
        string b64 = Convert.ToBase64String(Png);
        for (int type = 0; type < UploadTarget.ContentTypes.Length; type++)
        {
            yield return ($"raw-{type}", UploadTarget.Frame(type, false, Png));
            yield return ($"b64-{type}", UploadTarget.Frame(type, true, Utf8(Convert.ToBase64String(Jpeg))));
        }
        yield return ("json", UploadTarget.Frame(4, false, Utf8($"{{\"image\":\"{b64}\"}}")));
        yield return ("json-dataurl", UploadTarget.Frame(4, false, Utf8($"{{\"name\":1,\"Image\":\"data:image/png;base64,{b64}\"}}")));
        yield return ("json-escaped-url", UploadTarget.Frame(5, false, Utf8($"{{\"image\":\"{b64.Replace("/", "\\/", StringComparison.Ordinal).Replace('+', '-')}\"}}")));
        yield return ("json-in-base64", UploadTarget.Frame(4, true, Utf8(Convert.ToBase64String(Utf8($"{{\"image\":\"{b64}\"}}")))));
        yield return ("json-no-type", UploadTarget.Frame(0, false, Utf8($" {{\"image\":\"{b64}\"}}")));
        foreach (var (name, body) in GeneratedMultipart())
            if (body[0] == 0) yield return ("multipart-" + name, UploadTarget.Frame(6, false, body[1..]));
    }

    public static IEnumerable<(string, byte[])> GeneratedMultipart()
    {
        byte[] Part(string headers, byte[] content) => [.. Utf8($"--{Boundary}\r\n{headers}\r\n\r\n"), .. content, .. Utf8("\r\n")];
        byte[] Close = Utf8($"--{Boundary}--\r\n");
        yield return ("file", [0, .. Part("Content-Disposition: form-data; name=\"image\"; filename=\"x.png\"\r\nContent-Type: image/png", Png), .. Close]);
        yield return ("preamble-two", [0, .. Utf8("preamble\r\n"), .. Part("Content-Disposition: form-data; name=\"note\"", Utf8("hello")),
            .. Part("content-disposition: form-data; name=\"f\"; filename=\"a\\\"b.jpg\"", Jpeg), .. Close]);
        yield return ("lone-field", [0, .. Part("Content-Disposition: form-data; name=image", Jpeg), .. Close]);
        yield return ("webkit", [3, .. Utf8("------WebKitFormBoundary7MA4YWxkTrZu0gW  \r\nContent-Disposition: form-data; name=\"file\"; filename=\"x.png\"\r\n\r\n"),
            .. Png, .. Utf8("\r\n------WebKitFormBoundary7MA4YWxkTrZu0gW--")]);
    }

    /// <summary>STOW-RS bodies (the first byte chooses <see cref="MultipartRelatedTarget.ContentTypes"/>): one and two
    /// instances written by the one DICOM writer, untyped parts, a preamble, transport padding, a part that is not DICOM.</summary>
    public static IEnumerable<(string, byte[])> GeneratedMultipartRelated()
    {
        var instance = new DicomWriter().Text(0x0008, 0x0016, "UI", "1.2.840.10008.5.1.4.1.1.1.1").Text(0x0008, 0x0018, "UI", "1.2.3.4")
            .GreyImage(2, 2, bits: 8).Element(0x7FE0, 0x0010, "OB", [0, 1, 2, 3]).File();
        byte[] Part(string headers, byte[] content, string boundary = Boundary) =>
            [.. Utf8($"--{boundary}\r\n{headers}\r\n"), .. content, .. Utf8("\r\n")];
        byte[] Close(string boundary = Boundary) => Utf8($"--{boundary}--\r\n");
        yield return ("one", [0, .. Part("Content-Type: application/dicom\r\n", instance), .. Close()]);
        yield return ("two", [0, .. Part("Content-Type: application/dicom\r\n", instance), .. Part("content-type: Application/DICOM; transfer-syntax=1.2.840.10008.1.2.1\r\n", instance), .. Close()]);
        yield return ("untyped", [0, .. Utf8("preamble\r\n"), .. Part("", instance), .. Close()]);
        yield return ("untyped-no-type-parameter", [1, .. Part("", instance), .. Close()]);
        yield return ("padding", [2, .. Utf8("--x \t\r\nContent-Type: application/dicom\r\n\r\n"), .. instance, .. Utf8("\r\n--x--")]);
        yield return ("not-dicom", [0, .. Part("Content-Type: application/dicom\r\n", Png), .. Close()]);
        yield return ("over-limit", [(byte)MultipartRelatedTarget.ContentTypes.Length, .. Part("Content-Type: application/dicom\r\n", instance), .. Close()]);
    }

    public static IEnumerable<(string, byte[])> FormatMagics()
    {
        yield return ("png", Png);
        yield return ("jpeg", Jpeg);
        yield return ("tiff-le", Utf8("II*\0\b\0\0\0"));
        yield return ("bigtiff-be", Utf8("MM\0+\0\b\0\0"));
        yield return ("webp", Utf8("RIFF\u0024\0\0\0WEBPVP8 "));
        yield return ("gif", Utf8("GIF89a\u0001\0\u0001\0"));
        yield return ("heic", [0, 0, 0, 24, .. Utf8("ftypheic")]);
        yield return ("svg", Utf8("\uFEFF  <?xml version=\"1.0\"?><svg/>"));
        yield return ("base64", Utf8("iVBORw0KGgoAAAANSUhEUg=="));
        yield return ("dicom", [.. new byte[128], .. Utf8("DICM")]);
        yield return ("jxl", [0xFF, 0x0A]);
    }

    public static IEnumerable<(string, byte[])> Manifests(string root)
    {
        var files = new List<string>();
        var models = Path.Combine(root, "efs-layout", "models");
        if (Directory.Exists(models)) files.AddRange(Directory.GetFiles(models, "manifest.json", SearchOption.AllDirectories));
        var fixture = Path.Combine(root, "test", "XrayClassifier.Tests", "Fixtures", "pytorch", "manifest.json");
        if (File.Exists(fixture)) files.Add(fixture);
        foreach (var file in files.Order(StringComparer.Ordinal))
            yield return ("file-" + Path.GetRelativePath(root, file).Replace('/', '_'), File.ReadAllBytes(file));
        yield return ("xrv", Utf8("""
            // torchxrayvision-style, with every optional field
            { "name": "xrv", "version": "1", "model": "model.onnx", "notice": "n",
              "input": { "name": "img", "channels": 1, "height": 224, "width": 224, "grey": "mean", "crop": "center",
                         "resize": "skimage-linear", "mean": [0], "std": [1], },
              "output": { "name": "logits", "activation": "sigmoid", "labels": ["A", "", "B"],
                          "threshold": { "A": 0.4, "B": 0.6 },
                          "calibration": { "method": "op-norm", "thresholds": [0.3, null, 0.7] } } }
            """));
        yield return ("rgb", Utf8("""{"name":"m","version":"2","model":"m.onnx","input":{"channels":3,"height":256,"width":256,"resize":"cover","interpolation":"bicubic","mean":[0.485,0.456,0.406],"std":[0.229,0.224,0.225]},"output":{"activation":"softmax","labels":["x","y"],"threshold":0.25}}"""));
    }

    public static IEnumerable<(string, byte[])> Dicom(string root)
    {
        var folder = DicomReferenceFolder(root);
        if (Directory.Exists(folder))
            foreach (var file in Directory.GetFiles(folder, "*.dcm").Order(StringComparer.Ordinal))
                yield return ("reference-" + Path.GetFileName(file), File.ReadAllBytes(file));
        foreach (var seed in GeneratedDicom()) yield return seed;
    }

    public static IEnumerable<(string, byte[])> GeneratedDicom()
    {
        const int Rows = 6, Columns = 5;
        var pixels8 = Ramp(Rows * Columns, 8);
        var pixels12 = Ramp(Rows * Columns, 12);

        byte[] Image(bool explicitVr, int bits, int stored, string photometric, Action<DicomWriter>? extra, Action<DicomWriter> pixelData)
        {
            var d = new DicomWriter(explicitVr);
            d.Text(0x0008, 0x0016, "UI", "1.2.840.10008.5.1.4.1.1.1.1").Text(0x0008, 0x0060, "CS", "DX").Text(0x0018, 0x0015, "CS", "CHEST");
            d.UnsignedShort(0x0028, 0x0002, 1).Text(0x0028, 0x0004, "CS", photometric).UnsignedShort(0x0028, 0x0010, Rows).UnsignedShort(0x0028, 0x0011, Columns);
            d.Text(0x0028, 0x0030, "DS", "0.1\\0.1").UnsignedShort(0x0028, 0x0100, (ushort)bits).UnsignedShort(0x0028, 0x0101, (ushort)stored)
                .UnsignedShort(0x0028, 0x0102, (ushort)(stored - 1)).UnsignedShort(0x0028, 0x0103, 0);
            extra?.Invoke(d);
            pixelData(d);
            return d.ToArray();
        }
        byte[] Native(ushort[] pixels, int bits)
        {
            var bytes = new byte[pixels.Length * bits / 8];
            for (int i = 0; i < pixels.Length; i++)
                if (bits == 8) bytes[i] = (byte)pixels[i];
                else BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(2 * i), pixels[i]);
            return bytes;
        }

        yield return ("explicit-8", DicomWriter.Part10(DicomWriter.ExplicitVrLittleEndian, Image(true, 8, 8, "MONOCHROME2", null, d => d.Element(0x7FE0, 0x0010, "OB", Native(pixels8, 8)))));
        yield return ("implicit-12", DicomWriter.Part10(DicomWriter.ImplicitVrLittleEndian, Image(false, 16, 12, "MONOCHROME1",
            d => d.Text(0x0028, 0x1050, "DS", "2048\\100").Text(0x0028, 0x1051, "DS", "4096\\50").Text(0x0028, 0x1052, "DS", "-1024").Text(0x0028, 0x1053, "DS", "1"),
            d => d.Element(0x7FE0, 0x0010, "OW", Native(pixels12, 16)))));
        yield return ("explicit-voi-lut", DicomWriter.Part10(DicomWriter.ExplicitVrLittleEndian, Image(true, 16, 12, "MONOCHROME2",
            d =>
            {
                var item = new DicomWriter(true).Element(0x0028, 0x3002, "US", [0, 1, 0, 0, 16, 0]).Element(0x0028, 0x3006, "OW", Native(Ramp(256, 16), 16)).ToArray();
                d.Sequence(0x0028, 0x3010, item, undefinedLength: true);
                d.Text(0x0028, 0x1056, "CS", "SIGMOID");
            },
            d => d.Element(0x7FE0, 0x0010, "OW", Native(pixels12, 16)))));
        yield return ("explicit-nested-sequence", DicomWriter.Part10(DicomWriter.ExplicitVrLittleEndian, Image(true, 8, 8, "MONOCHROME2",
            d =>
            {
                var inner = new DicomWriter(true).Text(0x0008, 0x0100, "SH", "CODE").ToArray();
                var outer = new DicomWriter(true).Sequence(0x0008, 0x1032, inner, undefinedLength: false).ToArray();
                d.Sequence(0x0040, 0x0275, outer, undefinedLength: true);
            },
            d => d.Element(0x7FE0, 0x0010, "OB", Native(pixels8, 8)))));
        var deflatedSet = Image(true, 8, 8, "MONOCHROME2", null, d => d.Element(0x7FE0, 0x0010, "OB", Native(pixels8, 8)));
        yield return ("deflated-8", DicomWriter.Part10(DicomWriter.DeflatedExplicitVrLittleEndian, Deflate(deflatedSet)));
        yield return ("rle-16", DicomWriter.Part10(DicomWriter.RleLossless, Image(true, 16, 12, "MONOCHROME2", null,
            d => d.Encapsulated([RleEncode(pixels12, 2)]))));
        yield return ("rle-8", DicomWriter.Part10(DicomWriter.RleLossless, Image(true, 8, 8, "MONOCHROME2", null,
            d => d.Encapsulated([RleEncode(pixels8, 1)], offsetTable: true))));
        yield return ("jpeg-lossless-12", DicomWriter.Part10("1.2.840.10008.1.2.4.70", Image(true, 16, 12, "MONOCHROME2", null,
            d => d.Encapsulated([JpegLosslessEncode(pixels12, Rows, Columns, 12, restartLines: 2)]))));
        var split = JpegLosslessEncode(pixels8, Rows, Columns, 8, restartLines: 0);
        yield return ("jpeg-lossless-8-fragments", DicomWriter.Part10("1.2.840.10008.1.2.4.57", Image(true, 8, 8, "MONOCHROME2", null,
            d => d.Encapsulated([split[..(split.Length / 2 & ~1)], split[(split.Length / 2 & ~1)..]]))));
        yield return ("jpeg-baseline", DicomWriter.Part10("1.2.840.10008.1.2.4.50", Image(true, 8, 8, "MONOCHROME2", null,
            d => d.Encapsulated([Jpeg]))));
    }

    public static IEnumerable<(string, byte[])> RleFrames()
    {
        yield return ("8bit", DicomTargets.RleInput(6, 5, 1, RleEncode(Ramp(30, 8), 1)));
        yield return ("16bit", DicomTargets.RleInput(6, 5, 2, RleEncode(Ramp(30, 16), 2)));
        // Replicate runs: 64 × 64 of one value in two segments.
        yield return ("replicate", DicomTargets.RleInput(64, 64, 2, RleEncode(new ushort[64 * 64], 2)));
    }

    public static IEnumerable<(string, byte[])> JpegLosslessFrames()
    {
        yield return ("12bit-restarts", [0, .. JpegLosslessEncode(Ramp(6 * 5, 12), 6, 5, 12, restartLines: 2)]);
        yield return ("8bit", [1, .. JpegLosslessEncode(Ramp(6 * 5, 8), 6, 5, 8, restartLines: 0)]);
        yield return ("16bit-predictor7", [0, .. JpegLosslessEncode(Ramp(8 * 8, 16), 8, 8, 16, restartLines: 0, predictor: 7)]);
    }

    private static ushort[] Ramp(int count, int bits)
    {
        var values = new ushort[count];
        for (int i = 0; i < count; i++) values[i] = (ushort)((i * 2654435761u >> 7) & ((1u << bits) - 1));
        return values;
    }

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    private static byte[] Deflate(byte[] data)
    {
        var output = new MemoryStream();
        using (var deflate = new DeflateStream(output, CompressionLevel.Optimal, leaveOpen: true)) deflate.Write(data);
        return output.ToArray();
    }

    /// <summary>PS3.5 Annex G: one segment per byte plane, most significant first, as literal and replicate runs.</summary>
    private static byte[] RleEncode(ushort[] pixels, int bytesPerSample)
    {
        var segments = new List<byte[]>();
        for (int s = 0; s < bytesPerSample; s++)
        {
            int shift = 8 * (bytesPerSample - 1 - s);
            var plane = pixels.Select(p => (byte)(p >> shift)).ToArray();
            var segment = new List<byte>();
            for (int i = 0; i < plane.Length;)
            {
                int run = 1;
                while (i + run < plane.Length && run < 128 && plane[i + run] == plane[i]) run++;
                if (run > 1) { segment.Add((byte)(sbyte)(1 - run)); segment.Add(plane[i]); i += run; continue; }
                int literal = Math.Min(128, plane.Length - i);
                segment.Add((byte)(literal - 1));
                segment.AddRange(plane.AsSpan(i, literal).ToArray());
                i += literal;
            }
            if (segment.Count % 2 == 1) segment.Add(0x80); // −128: no operation, pads to even
            segments.Add([.. segment]);
        }
        var header = new byte[64];
        BinaryPrimitives.WriteUInt32LittleEndian(header, (uint)bytesPerSample);
        uint offset = 64;
        for (int s = 0; s < segments.Count; s++) { BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(4 + 4 * s), offset); offset += (uint)segments[s].Length; }
        return [.. header, .. segments.SelectMany(x => x)];
    }

    /// <summary>T.81 Process 14: one component, every difference category coded in 5 bits (table 0), first-order
    /// or the given predictor, optional restart intervals of whole lines.</summary>
    private static byte[] JpegLosslessEncode(ushort[] pixels, int rows, int columns, int precision, int restartLines, int predictor = 1)
    {
        var output = new List<byte> { 0xFF, 0xD8 };
        void Segment(byte marker, params byte[] body) { output.AddRange([0xFF, marker, (byte)((body.Length + 2) >> 8), (byte)(body.Length + 2)]); output.AddRange(body); }
        Segment(0xC3, (byte)precision, (byte)(rows >> 8), (byte)rows, (byte)(columns >> 8), (byte)columns, 1, 1, 0x11, 0);
        var counts = new byte[16];
        counts[4] = 17;
        Segment(0xC4, [0x00, .. counts, .. Enumerable.Range(0, 17).Select(i => (byte)i)]);
        if (restartLines > 0) Segment(0xDD, (byte)((restartLines * columns) >> 8), (byte)(restartLines * columns));
        Segment(0xDA, 1, 1, 0x00, (byte)predictor, 0, 0);

        ulong bits = 0;
        int count = 0;
        void Put(int value, int length)
        {
            bits = bits << length | (uint)value & ((1u << length) - 1);
            count += length;
            while (count >= 8)
            {
                byte b = (byte)(bits >> (count - 8));
                output.Add(b);
                if (b == 0xFF) output.Add(0);
                count -= 8;
            }
        }
        void Flush() { if (count > 0) Put(0x7F, 8 - count); }

        int restarts = 0;
        for (int y = 0; y < rows; y++)
        {
            bool firstLine = restartLines == 0 ? y == 0 : y % restartLines == 0;
            if (firstLine && y > 0) { Flush(); output.AddRange([0xFF, (byte)(0xD0 + (restarts++ & 7))]); }
            for (int x = 0; x < columns; x++)
            {
                int ra = x > 0 ? pixels[y * columns + x - 1] : 0, rb = y > 0 ? pixels[(y - 1) * columns + x] : 0, rc = x > 0 && y > 0 ? pixels[(y - 1) * columns + x - 1] : 0;
                int prediction = firstLine ? (x == 0 ? 1 << (precision - 1) : ra) : x == 0 ? rb : predictor switch
                {
                    1 => ra, 2 => rb, 3 => rc, 4 => ra + rb - rc, 5 => ra + ((rb - rc) >> 1), 6 => rb + ((ra - rc) >> 1), _ => (ra + rb) >> 1,
                };
                int difference = (short)(pixels[y * columns + x] - prediction & 0xFFFF);
                int category = difference == 0 ? 0 : 32 - int.LeadingZeroCount(Math.Abs(difference));
                Put(category, 5);
                if (category is > 0 and < 16) Put(difference > 0 ? difference : difference - 1, category);
            }
        }
        Flush();
        output.AddRange([0xFF, 0xD9]);
        return [.. output];
    }
}
