using System.Text.Json;
using XrayClassifier.Function.ApiGateway;
using XrayClassifier.Function.Http;
using XrayClassifier.Function.Http.Answers;
using XrayClassifier.Function.Imaging;
using XrayClassifier.Tests.TestHelpers;

namespace XrayClassifier.Tests.Http.Answers;

/// <summary>The classification answer's representation, chosen by <c>Accept</c> (RFC 9110 §12.5.1).</summary>
public sealed class ContentNegotiationTests : IDisposable
{
    private readonly TestEfs _efs = TestEfs.WithSmallModel();
    private readonly MemoryLogSink _log = new();
    private readonly EngineRecorder _recorder = new();
    private readonly Function.Function _function;

    public ContentNegotiationTests() => _function = _efs.CreateFunction(_recorder, _log);

    public void Dispose()
    {
        _function.Dispose();
        _efs.Dispose();
    }

    private Task<ProxyAnswer> Classify(string? accept)
    {
        var e = ProxyEventBuilder.Post().BinaryBody(TestImages.Xray, "image/png");
        if (accept is not null) e.Header("Accept", accept);
        return ProxyAnswer.ReadAsync(_function.FunctionHandler(e.ToStream()));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("*/*")]
    [InlineData("application/json")]
    [InlineData("Application/JSON; charset=utf-8")]
    [InlineData("application/*")]
    [InlineData("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")]
    [InlineData("application/dicom, application/json;q=0.1")]
    public async Task JsonIsAnsweredWheneverAcceptAllowsIt(string? accept)
    {
        var answer = await Classify(accept);

        Assert.True(answer.Status == 200, answer.Body);
        Assert.Equal("application/json", answer.Header("Content-Type"));
        Assert.Equal("Accept", answer.Header("Vary"));
        Assert.Equal(14, answer.Json.GetProperty("predictions").GetArrayLength());
    }

    [Theory]
    [InlineData("application/dicom")]
    [InlineData("image/png")]
    [InlineData("application/json;q=0")]
    [InlineData("text/*, application/xml")]
    [InlineData("*/*;q=0")]
    public async Task AnAcceptNothingOfferedSatisfiesIs406ListingWhatIsOfferedAndNothingIsClassified(string accept)
    {
        var answer = await Classify(accept);

        Assert.Equal(406, answer.Status);
        Assert.Equal("application/problem+json", answer.Header("Content-Type"));
        Assert.Equal("Accept", answer.Header("Vary"));
        var problem = answer.Json;
        Assert.Equal("tag:xray-classifier,2026:problem:not-acceptable", problem.GetProperty("type").GetString());
        // Every representation offered, or, when only application/dicom was acceptable, those a PNG upload can have.
        var offered = RouteTable.ClassificationAnswers.Offered.Where(o => accept != "application/dicom" || o.Answers(ImageFormat.Png)).Select(o => o.MediaType);
        Assert.Equal(offered, problem.GetProperty("accepted").EnumerateArray().Select(t => t.GetString()));
        Assert.Contains("application/json", problem.GetProperty("detail").GetString());
        Assert.Contains("application/fhir+json", problem.GetProperty("detail").GetString());
        // Refused before any work: the model never ran, nothing was stored.
        Assert.Empty(_recorder.Tensors);
        Assert.DoesNotContain(Directory.EnumerateFiles(_efs.WorkspaceDirectory, "*", SearchOption.AllDirectories), f => !f.EndsWith(".gitkeep", StringComparison.Ordinal));
        var line = JsonDocument.Parse(_log.Lines.Last(l => l.Contains("\"status\":406", StringComparison.Ordinal))).RootElement;
        Assert.Equal("not-acceptable", line.GetProperty("error").GetString());
    }

    private sealed class Fake(string mediaType) : IClassificationAnswer
    {
        public string MediaType => mediaType;
        public ProxyResponse Answer(ClassifiedRequest classified) => throw new NotSupportedException();
    }

    [Theory]
    [InlineData(null, "application/json")]
    [InlineData("application/fhir+json", "application/fhir+json")]
    [InlineData("application/fhir+json;q=0.5, application/json", "application/json")]
    [InlineData("application/*;q=0.4, application/fhir+json;q=0.5", "application/fhir+json")]
    [InlineData("application/*", "application/json")]
    [InlineData("application/dicom;q=1, */*;q=0.1", "application/dicom")]
    [InlineData("application/json;q=0, */*", "application/fhir+json")]
    [InlineData("garbage, application/dicom", "application/dicom")]
    public void TheMostSpecificRangeDecidesEachTypesQualityTiesGoToTheServersOrder(string? accept, string chosen)
    {
        var answers = new ClassificationAnswers([new Fake("application/json"), new Fake("application/fhir+json"), new Fake("application/dicom")]);

        Assert.Equal(chosen, answers.Negotiate(accept)?.MediaType);
    }
}
