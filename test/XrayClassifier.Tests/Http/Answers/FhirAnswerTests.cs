using System.Globalization;
using System.Text.Json;
using Hl7.Fhir.Model;
using XrayClassifier.Function.Classification;
using XrayClassifier.Function.Http.Answers;
using XrayClassifier.Function.Imaging;
using XrayClassifier.Function.Inference;
using XrayClassifier.Function.Observability;
using XrayClassifier.Tests.TestHelpers;
using Xunit.Abstractions;
using Task = System.Threading.Tasks.Task;

namespace XrayClassifier.Tests.Http.Answers;

/// <summary>The <c>application/fhir+json</c> answer through the real handler and model, read back by an independent
/// implementation: Firely's parser (Hl7.Fhir.R4) and validator (Firely.Fhir.Validation.R4) against base R4's
/// StructureDefinitions (the specification.zip of Hl7.Fhir.Specification.Data.R4, offline).</summary>
public sealed class FhirAnswerTests(ITestOutputHelper output) : IDisposable
{
    private readonly TestEfs _efs = TestEfs.WithSmallModel();
    private readonly MemoryLogSink _log = new();
    private readonly EngineRecorder _recorder = new();
    private Function.Function? _function;

    private Function.Function Function => _function ??= _efs.CreateFunction(_recorder, _log);

    public void Dispose()
    {
        _function?.Dispose();
        _efs.Dispose();
    }

    private Task<ProxyAnswer> Classify(string? accept, string requestId = "fhir-test-request") => Classify(Function, accept, requestId);

    private static Task<ProxyAnswer> Classify(Function.Function function, string? accept, string requestId = "fhir-test-request")
    {
        var e = ProxyEventBuilder.Post().BinaryBody(TestImages.Xray, "image/png").WithRequestId(requestId);
        if (accept is not null) e.Header("Accept", accept);
        return ProxyAnswer.ReadAsync(function.FunctionHandler(e.ToStream()));
    }

    private static Bundle Parse(string json) => FhirR4.Parse(json);

    private static OperationOutcome Validate(Bundle bundle) => FhirR4.Validate(bundle);

    /// <summary>The answer parsed, after Firely's validator found no error in it (every FHIR answer these tests read).</summary>
    private Bundle ParseValid(string json) => FhirR4.ParseValid(json, output);

    [Fact]
    public async Task AnswersABundleThatFirelysValidatorFindsNoErrorIn()
    {
        // The default (untrained) model, whose notice must reach the report.
        using var efs = TestEfs.WithDefaultModel();
        using var function = efs.CreateFunction(new MemoryLogSink());
        var answer = await Classify(function, "application/fhir+json");

        Assert.True(answer.Status == 200, answer.Body);
        Assert.Equal("application/fhir+json; fhirVersion=4.0", answer.Header("Content-Type"));
        Assert.Equal("Accept", answer.Header("Vary"));
        var bundle = ParseValid(answer.Body);

        Assert.Equal(Bundle.BundleType.Collection, bundle.Type);
        Assert.All(bundle.Entry, e => Assert.StartsWith("urn:uuid:", e.FullUrl));
        Assert.Equal(bundle.Entry.Count, bundle.Entry.Select(e => e.FullUrl).Distinct().Count());
        var report = Assert.Single(bundle.Entry.Select(e => e.Resource).OfType<DiagnosticReport>());
        var device = Assert.Single(bundle.Entry.Select(e => e.Resource).OfType<Device>());
        var observations = bundle.Entry.Select(e => e.Resource).OfType<Observation>().ToList();
        Assert.Equal(14, observations.Count);
        Assert.Equal(16, bundle.Entry.Count);

        Assert.Equal(DiagnosticReport.DiagnosticReportStatus.Preliminary, report.Status);
        Assert.Contains(report.Category.SelectMany(c => c.Coding), c => c.System == "http://terminology.hl7.org/CodeSystem/v2-0074" && c.Code == "RAD");
        Assert.Contains(report.Code.Coding, c => c.System == "http://loinc.org" && c.Code == "36554-4");
        var identifier = Assert.Single(report.Identifier);
        Assert.Equal("tag:xray-classifier,2026:request-id", identifier.System);
        Assert.Equal("fhir-test-request", identifier.Value);
        Assert.Null(report.Subject);
        // The default model's notice: an untrained model must say so wherever its predictions go.
        Assert.Contains("Untrained model", report.Conclusion);
        Assert.Contains(device.Note, n => n.Text!.Contains("Untrained model", StringComparison.Ordinal));
        Assert.Equal("chexnet-densenet121", Assert.Single(device.DeviceName).Name);
        Assert.Contains(device.Version, v => v.Value == "1");

        // Every reference resolves inside the bundle: the report's results are exactly the Observations, each naming the Device.
        var byUrl = bundle.Entry.ToDictionary(e => e.FullUrl!, e => e.Resource);
        Assert.Equal(observations, report.Result.Select(r => byUrl[r.Reference!]).Cast<Observation>());
        string deviceUrl = bundle.Entry.Single(e => e.Resource is Device).FullUrl!;
        Assert.All(observations, o => Assert.Equal(deviceUrl, o.Device!.Reference));
        Assert.All(observations, o => Assert.Equal(ObservationStatus.Preliminary, o.Status));
        Assert.All(observations, o => Assert.Contains(o.Category.SelectMany(c => c.Coding), c => c.Code == "imaging"));
        Assert.DoesNotContain(bundle.Entry, e => e.Resource is Patient);
    }

    [Fact]
    public async Task TheValidatorDoesFindTheErrorInABundleMissingWhatR4Requires()
    {
        // The check above means something: the same bundle without the report's code (1..1 in R4) fails.
        var bundle = Parse((await Classify("application/fhir+json")).Body);
        bundle.Entry.Select(e => e.Resource).OfType<DiagnosticReport>().Single().Code = null!;

        var outcome = Validate(bundle);

        var errors = outcome.Issue.Where(i => i.Severity == OperationOutcome.IssueSeverity.Error).ToList();
        foreach (var e in errors) output.WriteLine($"{e.Details?.Text} @ {string.Join(",", e.Expression ?? [])}");
        var error = Assert.Single(errors);
        Assert.Contains("'code'", error.Details!.Text, StringComparison.Ordinal);
        Assert.StartsWith("Bundle.entry[0].resource", Assert.Single(error.Expression), StringComparison.Ordinal);
    }

    [Fact]
    public async Task EachObservationCarriesTheJsonAnswersProbabilityAndIsPositiveExactlyAtOrAboveItsThreshold()
    {
        var json = (await Classify("application/json")).Json;
        var fhir = ParseValid((await Classify("application/fhir+json")).Body);

        var observations = fhir.Entry.Select(e => e.Resource).OfType<Observation>().ToDictionary(o => o.Code.Text!);
        var predictions = json.GetProperty("predictions").EnumerateArray().ToList();
        Assert.Equal(predictions.Count, observations.Count);
        int positives = 0;
        foreach (var p in predictions)
        {
            var o = observations[p.GetProperty("label").GetString()!];
            var quantity = Assert.IsType<Quantity>(o.Value);
            // Same bytes, same model: the same number, written the same way.
            Assert.Equal(p.GetProperty("probability").GetDecimal(), quantity.Value);
            Assert.Equal("http://unitsofmeasure.org", quantity.System);
            Assert.Equal("1", quantity.Code);
            bool finding = p.GetProperty("probability").GetSingle() >= p.GetProperty("threshold").GetSingle();
            var interpretation = Assert.Single(Assert.Single(o.Interpretation).Coding);
            Assert.Equal("http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation", interpretation.System);
            Assert.Equal(finding ? "POS" : "NEG", interpretation.Code);
            Assert.Contains(p.GetProperty("threshold").GetSingle().ToString(CultureInfo.InvariantCulture), Assert.Single(o.ReferenceRange).Text);
            if (finding) positives++;
        }
        Assert.Equal(json.GetProperty("findings").GetArrayLength(), positives);
    }

    [Theory]
    [InlineData("Effusion", "http://snomed.info/sct", "60046008")]
    [InlineData("Infiltration", "http://dicom.nema.org/resources/ontology/DCM", "112121")]
    [InlineData("Mass", "http://snomed.info/sct", "4147007")]
    [InlineData("Nodule", "http://snomed.info/sct", "27925004")]
    [InlineData("Pneumothorax", "http://snomed.info/sct", "36118008")]
    [InlineData("Edema", "http://snomed.info/sct", "19242006")]
    [InlineData("Fibrosis", "http://snomed.info/sct", "112674009")]
    [InlineData("Atelectasis", null, null)]
    [InlineData("Cardiomegaly", null, null)]
    [InlineData("Pneumonia", null, null)]
    [InlineData("Consolidation", null, null)]
    [InlineData("Emphysema", null, null)]
    [InlineData("Pleural_Thickening", null, null)]
    [InlineData("Hernia", null, null)]
    public async Task AFindingIsCodedWithItsLabelTextAndThePs316CodeWhereThereIsOne(string label, string? system, string? code)
    {
        var fhir = ParseValid((await Classify("application/fhir+json")).Body);

        var o = fhir.Entry.Select(e => e.Resource).OfType<Observation>().Single(o => o.Code.Text == label);
        if (system is null) Assert.Empty(o.Code.Coding);
        else
        {
            var coding = Assert.Single(o.Code.Coding);
            Assert.Equal((system, code), (coding.System, coding.Code));
        }
    }

    [Fact]
    public void AProbabilityTheModelDidNotGiveIsAbsentWithItsReasonAndNoInterpretation()
    {
        // A model can output NaN; FHIR JSON has no NaN, so the value is absent and data-absent-reason says why.
        var manifest = TestManifest.Parse(TestEfs.SmallManifest.ToJsonString());
        var scores = new LabelScores("Nodule", 0.7f, ["Nodule"],
            [new Prediction("Nodule", 0.7f) { Threshold = 0.5f }, new Prediction("Mass", float.NaN) { Threshold = 0.5f }]);
        var result = new ClassificationResult(new DecodedImage(ImageFormat.Png, 1024, 1024, 1, 8), scores, 1, 1);
        var classified = new ClassifiedRequest(new ClassificationOutcome(result, manifest, null), "nan-request", null,
            System.Diagnostics.Stopwatch.GetTimestamp(), new RequestLogEntry());

        var bundle = ParseValid(new FhirClassificationAnswer().Answer(classified).Body!);

        var mass = bundle.Entry.Select(e => e.Resource).OfType<Observation>().Single(o => o.Code.Text == "Mass");
        Assert.Null(mass.Value);
        Assert.Empty(mass.Interpretation);
        var reason = Assert.Single(mass.DataAbsentReason!.Coding);
        Assert.Equal(("http://terminology.hl7.org/CodeSystem/data-absent-reason", "not-a-number"), (reason.System, reason.Code));
        var nodule = bundle.Entry.Select(e => e.Resource).OfType<Observation>().Single(o => o.Code.Text == "Nodule");
        Assert.Equal(0.7m, Assert.IsType<Quantity>(nodule.Value).Value);
        Assert.Equal("POS", Assert.Single(Assert.Single(nodule.Interpretation).Coding).Code);
    }

    [Fact]
    public async Task TheSameRequestIdAnswersTheSameEntryIdsAndAnotherDifferentOnes()
    {
        static async Task<string[]> Urls(Task<ProxyAnswer> answer) =>
            [.. JsonDocument.Parse((await answer).Body).RootElement.GetProperty("entry").EnumerateArray().Select(e => e.GetProperty("fullUrl").GetString()!)];

        var first = await Urls(Classify("application/fhir+json", "request-a"));
        var again = await Urls(Classify("application/fhir+json", "request-a"));
        var other = await Urls(Classify("application/fhir+json", "request-b"));

        Assert.Equal(first, again);
        Assert.Empty(first.Intersect(other));
        Assert.All(first, u => Assert.True(Guid.TryParse(u["urn:uuid:".Length..], out _), u));
    }

    [Theory]
    [InlineData("application/fhir+json")]
    [InlineData("application/fhir+json; fhirVersion=4.0")]
    [InlineData("application/json;q=0.5, application/fhir+json")]
    public async Task FhirIsAnsweredWhenAcceptPrefersIt(string accept)
    {
        var answer = await Classify(accept);

        Assert.True(answer.Status == 200, answer.Body);
        Assert.Equal("application/fhir+json; fhirVersion=4.0", answer.Header("Content-Type"));
        Assert.Equal(Bundle.BundleType.Collection, ParseValid(answer.Body).Type);
    }
}
