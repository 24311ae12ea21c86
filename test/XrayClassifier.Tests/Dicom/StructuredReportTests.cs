using System.Reflection;
using XrayClassifier.Function.Classification;
using XrayClassifier.Function.Imaging;
using XrayClassifier.Function.Http;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using XrayClassifier.Tests.TestHelpers;
using Xunit.Abstractions;

namespace XrayClassifier.Tests.Dicom;

/// <summary>The <c>application/dicom</c> answer, an IHE AI Results SR (Comprehensive 3D SR, TID 1500), made through the
/// real handler from corpus files of several writers (pydicom, dcmtk, gdcm, img2dcm) and checked by two independent
/// implementations: dicom3tools' <c>dciodvfy</c> finds no error in it, and DCMTK's <c>dsrdump</c> reads the same findings,
/// probabilities and thresholds as the JSON answer for the same file; <c>dcmdump</c> reads the source's study and patient
/// in it. Patient data stays out of every log line of the SR path.</summary>
[Collection(DicomCorpusCollection.Name)]
public sealed partial class StructuredReportTests(DicomCorpusFixture corpus, ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan ToolTimeout = TimeSpan.FromSeconds(60);

    private const string Notice = "Untrained test model: its findings mean nothing.";
    private readonly TestEfs _efs = TestEfs.WithModel(TestEfs.SmallModel, WithNotice(TestEfs.SmallManifest));
    private readonly MemoryLogSink _log = new();
    private readonly TempDirectory _directory = new("xray-sr");
    private Function.Function? _function;

    private Function.Function Function => _function ??= _efs.CreateFunction(new EngineRecorder(), _log);

    private Task<ProxyAnswer> Invoke(ProxyEventBuilder e) => ProxyAnswer.ReadAsync(Function.FunctionHandler(e.ToStream()));

    /// <summary>Corpus files written by pydicom (u12, u8), dcmtk (implicit, deflated, RLE, JPEG lossless), gdcm and
    /// img2dcm (a JPEG Baseline wrapped with its own UIDs and no patient).</summary>
    public static TheoryData<string> Sources => new() { "u12", "u8", "u12.implicit", "u12.deflated", "mono1u16.rle", "s16.jpegsv6", "u12.gdcmrle", "baseline" };

    [Theory]
    [MemberData(nameof(Sources))]
    public async Task TheSrIsValidAndSaysWhatTheJsonAnswerSays(string name)
    {
        byte[] source = corpus.Bytes(name + ".dcm");
        var json = await Invoke(ProxyEventBuilder.Post().BinaryBody(source, "application/dicom"));
        Assert.True(json.Status == 200, json.Body);
        var sr = await Invoke(ProxyEventBuilder.Post().BinaryBody(source, "application/dicom").Header("Accept", "application/dicom"));
        Assert.True(sr.Status == 200, sr.Body);
        Assert.Equal("application/dicom", sr.Header("Content-Type"));
        Assert.Equal("Accept", sr.Header("Vary"));
        string path = _directory.Combine(name + ".sr.dcm");
        File.WriteAllBytes(path, sr.BodyBytes);

        Dciodvfy.AssertNoError(path, output);

        // DCMTK reads every finding with the JSON answer's probability and threshold, and Present exactly for the findings.
        var dump = ProcessRunner.Run(new ProcessCommand("dsrdump", "+Pc", "+Pt", "+Pl", path), ToolTimeout).EnsureSuccess();
        output.WriteLine(dump.Stdout);
        var read = ReadFindings(dump.Stdout);
        var predictions = json.Json.GetProperty("predictions").EnumerateArray().ToArray();
        var findingsJson = json.Json.GetProperty("findings").EnumerateArray().Select(f => f.GetString()).ToHashSet();
        // dsrdump prints the Finding's code, so each JSON label is mapped through the one table of finding codes.
        Assert.Equal(predictions.Select(p => ExpectedFinding(p.GetProperty("label").GetString()!)), read.Select(r => r.Code));
        for (int i = 0; i < predictions.Length; i++)
        {
            Assert.Equal(predictions[i].GetProperty("probability").GetSingle(), read[i].Probability);
            Assert.Equal(predictions[i].GetProperty("threshold").GetSingle(), read[i].Threshold);
            Assert.Equal(findingsJson.Contains(predictions[i].GetProperty("label").GetString()), read[i].Present);
        }
        Assert.Contains("Comprehensive 3D SR", dump.Stdout, StringComparison.Ordinal);
        Assert.Contains("Imaging Measurement Report", dump.Stdout, StringComparison.Ordinal);
        // The model's notice, as the JSON answer gives it, is in the report for its reader.
        Assert.Equal(Notice, json.Json.GetProperty("model").GetProperty("notice").GetString());
        Assert.Contains($"TEXT:(121106,DCM,\"Comment\")=\"{Notice}\"", dump.Stdout, StringComparison.Ordinal);

        // The source's study and patient, read by DCMTK from both files.
        string[] tags = ["0020,000d", "0010,0020", "0010,0010", "0008,0050"];
        var sourcePath = corpus.Locate(name + ".dcm");
        foreach (var tag in tags)
            Assert.Equal(Attribute(sourcePath, tag), Attribute(path, tag));
        Assert.NotEqual("", Attribute(path, "0020,000d"));
        Assert.NotEqual(Attribute(sourcePath, "0020,000e"), Attribute(path, "0020,000e"));
        Assert.Equal("SR", Attribute(path, "0008,0060"));
        if (name != "baseline")
        {
            Assert.Equal("PID-4711-XYZ", Attribute(path, "0010,0020"));
            Assert.Equal(Attribute(sourcePath, "0008,0018"), Attribute(path, "0008,1155"));
        }
        AssertAirHeader(path, sourcePath, dump.Stdout);
        PatientData.AssertAbsent(_log.AllText);
    }

    /// <summary>What IHE AIR and PS3.3 require of the SR's header, each attribute read by dcmdump at its nesting level: the
    /// algorithm in the Contributing Equipment item (PS3.3 Table C.12-1: purpose of reference, manufacturer, model name,
    /// software versions, Device UID inside the item); CompletionFlag and VerificationFlag; the Current Requested Procedure
    /// Evidence naming the source's study, series and instance; a new series (Modality SR) in the source's study; and,
    /// read by dsrdump, Procedure Reported naming the imaging procedure, not the algorithm.</summary>
    private void AssertAirHeader(string path, string sourcePath, string srDump)
    {
        // -Un: UIDs as numbers, not the names DCMTK knows them by.
        static string Dump(string file) => ProcessRunner.Run(new ProcessCommand("dcmdump", "+L", "-Un", file), ToolTimeout).EnsureSuccess().Stdout;
        string header = Dump(path), source = Dump(sourcePath);
        output.WriteLine(header);
        string[] Read(params string[] tags) => [.. Nested(header, tags)];
        string Source(string tag) => Nested(source, tag).SingleOrDefault() ?? "";

        // Contributing Equipment (0018,A001): one item, the algorithm.
        Assert.Single(Read("0018,a001"));
        Assert.Equal(["Newcode1"], Read("0018,a001", "0040,a170", "0008,0100"));
        Assert.Equal(["99IHE"], Read("0018,a001", "0040,a170", "0008,0102"));
        Assert.Equal(["Processing Algorithm"], Read("0018,a001", "0040,a170", "0008,0104"));
        Assert.Equal(["XrayClassifier"], Read("0018,a001", "0008,0070"));
        Assert.Equal(["pooled-linear-test"], Read("0018,a001", "0008,1090"));
        string built = typeof(Function.Function).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion;
        Assert.Equal([$"3\\{built}"], Read("0018,a001", "0018,1020"));
        string deviceUid = Assert.Single(Read("0018,a001", "0018,1002"));
        Assert.Equal(DicomUid.FromName("XrayClassifier/pooled-linear-test/3"), deviceUid);
        // The same device is the report's observer (TID 1004), so a reader can tie the findings to the equipment item.
        Assert.Contains($"has obs context UIDREF:(121012,DCM,\"Device Observer UID\")=\"{deviceUid}\"", srDump, StringComparison.Ordinal);

        // PS3.3 §C.17.2: the classification is all the report will say, and no person has verified it.
        Assert.Equal(["COMPLETE"], Read("0040,a491"));
        Assert.Equal(["UNVERIFIED"], Read("0040,a493"));

        // Current Requested Procedure Evidence (0040,A375): the source's study > series > SOP instance.
        string study = Source("0020,000d"), series = Source("0020,000e"), sopClass = Source("0008,0016"), sopInstance = Source("0008,0018");
        Assert.All(new[] { study, series, sopClass, sopInstance }, uid => Assert.NotEqual("", uid));
        Assert.Equal([study], Read("0040,a375", "0020,000d"));
        Assert.Equal([series], Read("0040,a375", "0008,1115", "0020,000e"));
        Assert.Equal([sopClass], Read("0040,a375", "0008,1115", "0008,1199", "0008,1150"));
        Assert.Equal([sopInstance], Read("0040,a375", "0008,1115", "0008,1199", "0008,1155"));

        // The report is a new series in the source's study.
        Assert.Equal([study], Read("0020,000d"));
        Assert.Equal(["SR"], Read("0008,0060"));
        string reportSeries = Assert.Single(Read("0020,000e"));
        Assert.NotEqual(series, reportSeries);
        Assert.StartsWith("2.25.", reportSeries, StringComparison.Ordinal);

        // Procedure Reported (121058): the chest radiograph (SNOMED CT 399208008), not the algorithm.
        Assert.Contains("has concept mod CODE:(121058,DCM,\"Procedure reported\")=(399208008,SCT,\"Plain chest X-ray\")", srDump, StringComparison.Ordinal);
    }

    /// <summary>The values of the elements reached by <paramref name="path"/> in a dcmdump listing: the first tag at the
    /// top level, each next one inside an item of the one before (dcmdump indents an item by 2, its elements by 4). A
    /// sequence's "value" is its item count's line, so a sequence reads as one entry per item.</summary>
    internal static IEnumerable<string> Nested(string dump, params string[] path)
    {
        var lines = dump.Split('\n').Where(l => l.TrimStart().StartsWith('(')).ToArray();
        return Walk(0, lines.Length, 0, 0);

        IEnumerable<string> Walk(int from, int to, int indent, int step)
        {
            for (int i = from; i < to; i++)
            {
                if (Indent(lines[i]) != indent || !lines[i].AsSpan(indent).StartsWith("(" + path[step], StringComparison.Ordinal)) continue;
                int end = i + 1;
                while (end < to && Indent(lines[end]) > indent) end++;
                if (step == path.Length - 1)
                {
                    if (lines[i].Contains(" SQ ", StringComparison.Ordinal))
                        for (int k = i + 1; k < end; k++)
                        {
                            if (Indent(lines[k]) == indent + 2 && lines[k].AsSpan(indent + 2).StartsWith("(fffe,e000)", StringComparison.Ordinal)) yield return "item";
                        }
                    else yield return Regex.Match(lines[i], @"\[(.*?)\]") is { Success: true } m ? m.Groups[1].Value : "";
                }
                else
                    foreach (var value in Walk(i + 1, end, indent + 4, step + 1)) yield return value;
                i = end - 1;
            }
        }

        static int Indent(string line) => line.Length - line.TrimStart().Length;
    }

    /// <summary>The control for every <see cref="Dciodvfy.AssertNoError(string, ITestOutputHelper?)"/>: the same real SR,
    /// edited with the project's own writer — its CompletionFlag (Type 1, enumerated) removed, or given a value PS3.3 does
    /// not enumerate — is an error for dciodvfy, which names the attribute.</summary>
    [Theory]
    [InlineData("removed")]
    [InlineData("not enumerated")]
    public async Task DciodvfyDoesFindTheErrorInAnSrMissingOrMisspellingItsCompletionFlag(string edit)
    {
        var sr = await Invoke(ProxyEventBuilder.Post().BinaryBody(corpus.Bytes("u12.dcm"), "application/dicom").Header("Accept", "application/dicom"));
        Assert.True(sr.Status == 200, sr.Body);
        string original = _directory.Combine("original.sr.dcm");
        File.WriteAllBytes(original, sr.BodyBytes);
        Dciodvfy.AssertNoError(original, output);

        // A top-level element of an explicit-length data set: replacing its bytes breaks no enclosing length.
        byte[] flag = new DicomWriter().Text(0x0040, 0xA491, "CS", "COMPLETE").ToArray();
        byte[] replacement = edit == "removed" ? [] : new DicomWriter().Text(0x0040, 0xA491, "CS", "FINISHED").ToArray();
        int at = sr.BodyBytes.AsSpan().IndexOf(flag);
        Assert.True(at > 0, "CompletionFlag COMPLETE not found in the SR");
        Assert.Equal(-1, sr.BodyBytes.AsSpan(at + 1).IndexOf(flag));
        byte[] broken = [.. sr.BodyBytes.AsSpan(0, at), .. replacement, .. sr.BodyBytes.AsSpan(at + flag.Length)];
        string path = _directory.Combine("broken.sr.dcm");
        File.WriteAllBytes(path, broken);
        // DCMTK still reads the edited file: the edit is the only difference, not a broken encoding.
        ProcessRunner.Run(new ProcessCommand("dcmdump", path), ToolTimeout).EnsureSuccess();

        var errors = Dciodvfy.Errors(path, output);

        Assert.NotEmpty(errors);
        Assert.All(errors, e => Assert.Contains("CompletionFlag", e.Replace(" ", "", StringComparison.Ordinal), StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>HL7's code system URIs for the PS3.16 Table 8-1 designators the finding codes use.</summary>
    private static readonly Dictionary<string, string> DesignatorOfFhirSystem = new(StringComparer.Ordinal)
    {
        ["http://snomed.info/sct"] = "SCT",
        ["http://dicom.nema.org/resources/ontology/DCM"] = "DCM",
    };

    [Fact]
    public async Task TheFhirAndSrAnswersCodeEveryLabelOfTheDefaultModelAsTheSameConcept()
    {
        using var efs = TestEfs.WithDefaultModel();
        using var function = efs.CreateFunction(new EngineRecorder(), _log);
        byte[] source = corpus.Bytes("u12.dcm");
        var fhir = await ProxyAnswer.ReadAsync(function.FunctionHandler(
            ProxyEventBuilder.Post().BinaryBody(source, "application/dicom").Header("Accept", "application/fhir+json").ToStream()));
        Assert.True(fhir.Status == 200, fhir.Body);
        var sr = await ProxyAnswer.ReadAsync(function.FunctionHandler(
            ProxyEventBuilder.Post().BinaryBody(source, "application/dicom").Header("Accept", "application/dicom").ToStream()));
        Assert.True(sr.Status == 200, sr.Body);
        string path = _directory.Combine("default-model.sr.dcm");
        File.WriteAllBytes(path, sr.BodyBytes);
        Dciodvfy.AssertNoError(path, output);

        // Firely reads the Observations (label text and coding); DCMTK reads the SR's Findings, in the same order.
        var bundle = FhirR4.ParseValid(fhir.Body, output);
        var observations = bundle.Entry.Select(e => e.Resource).OfType<Hl7.Fhir.Model.Observation>().ToList();
        var read = ReadFindings(ProcessRunner.Run(new ProcessCommand("dsrdump", "+Pc", path), ToolTimeout).EnsureSuccess().Stdout);
        var manifest = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(TestEnvironment.DefaultModelDirectory, "manifest.json")))!;
        var labels = manifest["output"]!["labels"]!.AsArray().Select(l => l!.GetValue<string>()).ToHashSet();
        Assert.Equal(labels, observations.Select(o => o.Code.Text ?? "").ToHashSet());
        Assert.Equal(observations.Count, read.Count);
        int coded = 0;
        for (int i = 0; i < observations.Count; i++)
        {
            var concept = observations[i].Code;
            if (concept.Coding.Count == 0)
                Assert.Equal(new ReadCode(concept.Text, "99XRAYLABEL", concept.Text), read[i].Code);
            else
            {
                var coding = Assert.Single(concept.Coding);
                Assert.Equal(new ReadCode(coding.Code, DesignatorOfFhirSystem.GetValueOrDefault(coding.System ?? ""), coding.Display), read[i].Code);
                coded++;
            }
        }
        Assert.Equal(7, coded);
        // The private scheme the uncoded labels use is declared in the header (PS3.3 Table C.12-1), with 99IHE.
        string all = ProcessRunner.Run(new ProcessCommand("dcmdump", path), ToolTimeout).EnsureSuccess().Stdout;
        output.WriteLine(all);
        Assert.Contains("(0008,0102) SH [99XRAYLABEL]", all, StringComparison.Ordinal);
        Assert.Contains("(0008,0102) SH [99IHE]", all, StringComparison.Ordinal);

        // Both name the function by one version, the build's informational version ({Version}+{commit} in a git checkout):
        // the SR's Software Versions after the model's, the FHIR Device's "function" version.
        string built = typeof(Function.Function).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion;
        Assert.Equal($"{manifest["version"]}\\{built}", Attribute(path, "0018,1020"));
        var device = bundle.Entry.Select(e => e.Resource).OfType<Hl7.Fhir.Model.Device>().Single();
        Assert.Equal(built, device.Version.Single(v => v.Type?.Text == "function").Value);
    }

    [Fact]
    public async Task ANonDicomUploadAskingOnlyForDicomGets406AndJsonWhenItAlsoTakesJson()
    {
        var png = TestImages.Xray;
        var refused = await Invoke(ProxyEventBuilder.Post().BinaryBody(png, "image/png").Header("Accept", "application/dicom"));
        var problem = refused.AssertProblem(406, "not-acceptable");
        Assert.Contains("only for a DICOM upload", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        // What a PNG can be answered in: every representation but the SR.
        Assert.Equal(RouteTable.ClassificationAnswers.Offered.Where(o => o.Answers(ImageFormat.Png)).Select(o => o.MediaType),
            problem.GetProperty("accepted").EnumerateArray().Select(a => a.GetString()));
        Assert.DoesNotContain("application/dicom", problem.GetProperty("accepted").EnumerateArray().Select(a => a.GetString()));
        Assert.Empty(Directory.EnumerateFiles(_efs.WorkspaceDirectory, "*", SearchOption.AllDirectories));

        var fallback = await Invoke(ProxyEventBuilder.Post().BinaryBody(png, "image/png").Header("Accept", "application/dicom, application/json;q=0.5"));
        Assert.True(fallback.Status == 200, fallback.Body);
        Assert.Equal("application/json", fallback.Header("Content-Type"));
        Assert.Equal(14, fallback.Json.GetProperty("predictions").GetArrayLength());
    }

    [Fact]
    public async Task OnlyTheSrCarriesThePatientNeverTheLogOrWorkspace()
    {
        var sr = await Invoke(ProxyEventBuilder.Post().BinaryBody(corpus.Bytes("u12.dcm"), "application/dicom").Header("Accept", "application/dicom"));
        Assert.Equal(200, sr.Status);
        Dciodvfy.AssertNoError(sr.BodyBytes, output);
        string text = Encoding.UTF8.GetString(sr.BodyBytes);
        Assert.Contains("PID-4711-XYZ", text, StringComparison.Ordinal);
        Assert.Contains("TESTPERSON^JANE^Q", text, StringComparison.Ordinal);
        PatientData.AssertAbsent(_log.AllText);
        foreach (var path in Directory.EnumerateFiles(_efs.WorkspaceDirectory, "*", SearchOption.AllDirectories))
            PatientData.AssertAbsent(Encoding.Latin1.GetString(File.ReadAllBytes(path)));
    }

    [Fact]
    public async Task ALatin1PatientComesBackAsUtf8AndASourceWithoutUidsGetsItsOwnStudyWithNoReference()
    {
        // ISO_IR 100 (Latin-1) text, and no Study, Series or SOP Instance UID: written by the project's writer.
        var source = new DicomWriter()
            .Text(0x0008, 0x0005, "CS", "ISO_IR 100")
            .Text(0x0008, 0x0060, "CS", "DX")
            .Element(0x0010, 0x0010, "PN", Encoding.Latin1.GetBytes("MÜLLER^ZOË"))
            .Element(0x0010, 0x0020, "LO", Encoding.Latin1.GetBytes("PID-Ü "))
            .With64x64Gradient();
        string path = await SrFileAsync(source, "latin1.sr.dcm");

        Dciodvfy.AssertNoError(path, output);
        Assert.Equal("ISO_IR 192", Attribute(path, "0008,0005"));
        Assert.Equal("MÜLLER^ZOË", Attribute(path, "0010,0010"));
        Assert.Equal("PID-Ü", Attribute(path, "0010,0020"));
        Assert.StartsWith("2.25.", Attribute(path, "0020,000d"), StringComparison.Ordinal);
        // Nothing to reference: no evidence sequence, no image in the library.
        string all = ProcessRunner.Run(new ProcessCommand("dcmdump", path), ToolTimeout).EnsureSuccess().Stdout;
        Assert.DoesNotContain("(0040,a375)", all, StringComparison.Ordinal);
        Assert.DoesNotContain("(0008,1199)", all, StringComparison.Ordinal);
        Assert.Equal(14, ReadFindings(ProcessRunner.Run(new ProcessCommand("dsrdump", "+Pc", path), ToolTimeout).EnsureSuccess().Stdout).Count);
    }

    /// <summary>A hostile source's text copied into the SR fits its VR (PS3.5 Table 6.2-1): free text (PN, LO, SH) is cut
    /// at the VR's maximum — a multi-byte UTF-8 name at a character boundary — and a date, time or code string that is not
    /// one is left empty; dciodvfy, which checks every value's length and format, finds no error.</summary>
    [Fact]
    public async Task AHostileSourcesOverLongOrMalformedTextIsFittedToItsVrAndTheSrStaysValid()
    {
        string family = string.Concat(Enumerable.Repeat("VERYLONGFAMILYNAME", 5));
        string referring = "DR^" + new string('Ö', 80);
        var source = new DicomWriter()
            .Text(0x0008, 0x0005, "CS", "ISO_IR 192")
            .Text(0x0008, 0x0016, "UI", "1.2.840.10008.5.1.4.1.1.1.1")
            .Text(0x0008, 0x0018, "UI", "1.2.826.0.1.3680043.10.4711.3")
            .Text(0x0008, 0x0020, "DA", "2024-01-15")
            .Text(0x0008, 0x0030, "TM", "12:30:00")
            .Text(0x0008, 0x0050, "SH", "ACC-1234567890-EXTRA")
            .Text(0x0008, 0x0060, "CS", "DX")
            .Text(0x0008, 0x0090, "PN", referring)
            .Text(0x0008, 0x1030, "LO", "CHEST PA " + new string('X', 120))
            .Text(0x0010, 0x0010, "PN", family + "^JANE")
            .Text(0x0010, 0x0020, "LO", "PID-" + new string('9', 90) + "\\SECOND-VALUE")
            .Text(0x0010, 0x0030, "DA", "19510203")
            .Text(0x0010, 0x0040, "CS", "UNKNOWN")
            .Text(0x0020, 0x000D, "UI", "1.2.826.0.1.3680043.10.4711.1")
            .Text(0x0020, 0x000E, "UI", "1.2.826.0.1.3680043.10.4711.2")
            .Text(0x0020, 0x0010, "SH", "STUDY-ID-TOO-LONG-99")
            .With64x64Gradient();
        string path = await SrFileAsync(source, "hostile-text.sr.dcm");

        Dciodvfy.AssertNoError(path, output);
        Assert.Equal(family[..64], Attribute(path, "0010,0010"));
        Assert.Equal("PID-" + new string('9', 60), Attribute(path, "0010,0020"));
        Assert.Equal("ACC-1234567890-E", Attribute(path, "0008,0050"));
        Assert.Equal("STUDY-ID-TOO-LON", Attribute(path, "0020,0010"));
        // A multi-byte name that must be cut is cut at a character boundary within 64 characters and 64 bytes: "DR^" and
        // 30 Ö (2 bytes each) is 63 bytes; one more Ö would be 65.
        Assert.Equal(referring[..33], Attribute(path, "0008,0090"));
        Assert.Equal("", Attribute(path, "0008,0020"));
        Assert.Equal("", Attribute(path, "0008,0030"));
        Assert.Equal("", Attribute(path, "0010,0040"));
        Assert.Equal("19510203", Attribute(path, "0010,0030"));
        Assert.Equal("1.2.826.0.1.3680043.10.4711.1", Attribute(path, "0020,000d"));
        // Study Description is no attribute the SR copies.
        Assert.DoesNotContain("(0008,1030)", ProcessRunner.Run(new ProcessCommand("dcmdump", path), ToolTimeout).EnsureSuccess().Stdout, StringComparison.Ordinal);
    }

    private static System.Text.Json.Nodes.JsonObject WithNotice(System.Text.Json.Nodes.JsonObject manifest)
    {
        manifest["notice"] = Notice;
        return manifest;
    }

    /// <summary>A coded concept as dsrdump prints it: (value, coding scheme designator, "meaning").</summary>
    internal sealed record ReadCode(string? Value, string? Scheme, string? Meaning);

    internal sealed record ReadFinding(ReadCode Code, float Probability, float Threshold, bool Present);

    /// <summary>The Finding a label should be in the SR, from the one table of finding codes: its standard code with PS3.16
    /// Table 8-1's designator, else the label itself in the private scheme 99XRAYLABEL.</summary>
    internal static ReadCode ExpectedFinding(string label) => FindingCodes.For(label) is { } c
        ? new ReadCode(c.Value, Designator[c.Scheme], c.Meaning)
        : new ReadCode(label, "99XRAYLABEL", label);

    private static readonly Dictionary<FindingCodingScheme, string> Designator = new()
    {
        [FindingCodingScheme.SnomedCt] = "SCT",
        [FindingCodingScheme.Dicom] = "DCM",
    };

    /// <summary>The qualitative evaluations as dsrdump prints them: a CODE "Finding" = (value, scheme, "meaning"), then its
    /// NUM "Probability", NUM "Threshold Value" and CODE "Presence of property" children.</summary>
    /// <summary>The SR answer for the DICOM upload <paramref name="source"/>, written to <paramref name="name"/> in the test's folder.</summary>
    private async Task<string> SrFileAsync(byte[] source, string name)
    {
        var sr = await Invoke(ProxyEventBuilder.Post().BinaryBody(source, "application/dicom").Header("Accept", "application/dicom"));
        Assert.True(sr.Status == 200, sr.Body);
        string path = _directory.Combine(name);
        File.WriteAllBytes(path, sr.BodyBytes);
        return path;
    }

    /// <summary>The one check of an SR made for a <see cref="Orthanc.ChestRadiograph"/> (delivered, answered, through invoke
    /// or the bootstrap): dciodvfy finds no error; dsrdump reads the JSON answer's findings (order, code, probability,
    /// threshold, presence exactly); it is in the source's study and patient, references the source, a new series, Modality SR.</summary>
    internal static void AssertSaysWhatTheJsonSays(string path, System.Text.Json.JsonElement json, Orthanc.ChestRadiograph source, ITestOutputHelper output)
    {
        Dciodvfy.AssertNoError(path, output);
        var dump = ProcessRunner.Run(new ProcessCommand("dsrdump", "+Pc", path), ToolTimeout).EnsureSuccess();
        output.WriteLine(dump.Stdout);
        var read = ReadFindings(dump.Stdout);
        var predictions = json.GetProperty("predictions").EnumerateArray().ToArray();
        var findings = json.GetProperty("findings").EnumerateArray().Select(f => f.GetString()).ToHashSet();
        Assert.Equal(predictions.Select(p => ExpectedFinding(p.GetProperty("label").GetString()!)), read.Select(r => r.Code));
        for (int i = 0; i < predictions.Length; i++)
        {
            Assert.Equal(predictions[i].GetProperty("probability").GetSingle(), read[i].Probability);
            Assert.Equal(predictions[i].GetProperty("threshold").GetSingle(), read[i].Threshold);
            Assert.Equal(findings.Contains(predictions[i].GetProperty("label").GetString()), read[i].Present);
        }
        Assert.Equal(source.StudyInstanceUid, Attribute(path, "0020,000d"));
        Assert.Equal(Orthanc.ChestRadiograph.PatientId, Attribute(path, "0010,0020"));
        Assert.Equal(source.SopInstanceUid, Attribute(path, "0008,1155"));
        Assert.NotEqual(source.SeriesInstanceUid, Attribute(path, "0020,000e"));
        Assert.Equal("SR", Attribute(path, "0008,0060"));
    }

    internal static List<ReadFinding> ReadFindings(string dump)
    {
        var found = new List<ReadFinding>();
        ReadCode? label = null;
        float probability = float.NaN, threshold = float.NaN;
        foreach (var line in dump.Split('\n'))
        {
            if (FindingLine().Match(line) is { Success: true } f) label = new ReadCode(f.Groups[1].Value, f.Groups[2].Value, f.Groups[3].Value);
            else if (NumberLine().Match(line) is { Success: true } n)
            {
                float value = float.Parse(n.Groups[2].Value, CultureInfo.InvariantCulture);
                if (n.Groups[1].Value == "Probability") probability = value;
                else threshold = value;
            }
            else if (PresenceLine().Match(line) is { Success: true } p && label is not null)
            {
                found.Add(new ReadFinding(label, probability, threshold, p.Groups[1].Value == "Present"));
                label = null;
            }
        }
        return found;
    }

    [GeneratedRegex("""CODE:\(121071,DCM,"Finding"\)=\(([^,]+),([^,]+),"([^"]*)"\)""")]
    private static partial Regex FindingLine();

    [GeneratedRegex("""NUM:\((?:122157|122411),DCM,"(Probability|Threshold Value)"\)="([^"]+)" \(1,UCUM,"no units"\)""")]
    private static partial Regex NumberLine();

    [GeneratedRegex("""CODE:\(121052,DCM,"Presence of property"\)=\([0-9]+,SCT,"(Present|Absent)"\)""")]
    private static partial Regex PresenceLine();

    /// <summary>One attribute's value as dcmdump prints it (empty when absent or empty).</summary>
    internal static string Attribute(string path, string tag)
    {
        var dump = ProcessRunner.Run(new ProcessCommand("dcmdump", "-s", "+P", tag, path), ToolTimeout).EnsureSuccess();
        var line = dump.Stdout.Split('\n').FirstOrDefault(l => l.StartsWith('('));
        if (line is null) return "";
        var m = Regex.Match(line, @"\[(.*?)\]");
        return m.Success ? m.Groups[1].Value : "";
    }

    public void Dispose()
    {
        _efs.Dispose();
        _directory.Dispose();
    }
}

internal static class SmallSourceImage
{
    /// <summary>A 64×64 8-bit grey frame (a gradient) and the file closed: the smallest image a hand-written source needs.</summary>
    public static byte[] With64x64Gradient(this DicomWriter writer)
    {
        var pixels = new byte[64 * 64];
        for (int i = 0; i < pixels.Length; i++) pixels[i] = (byte)(i * 7);
        return writer.GreyImage(64, 64, bits: 8).Element(0x7FE0, 0x0010, "OB", pixels).File();
    }
}
