using System.Text;
using System.Text.Json;
using XrayClassifier.Function.ApiGateway;
using XrayClassifier.Tests.S3;
using XrayClassifier.Tests.TestHelpers;

namespace XrayClassifier.Tests.Http;

/// <summary>
/// Who called (API Gateway's <c>requestContext</c>: an IAM signer, or a user pool's token claims) goes into the request's
/// log line and into no successful answer, body or header, of any representation: the classification as JSON, as a FHIR
/// Bundle, as a DICOM SR, the upload form, a STOW-RS Store Instances Response and the health check — each made by the
/// real natives and a real model (the small ChestX-ray14 test model), the upload form against s3rver
/// (README "Security review", question 2; <see cref="CallerIdentityTests"/> covers the error answers).
/// </summary>
public sealed class CallerIdentityAnswerTests : IAsyncLifetime
{
    private const string Related = "multipart/related; type=\"application/dicom\"; boundary=\"CallerBoundary-4c2e\"";

    // As API Gateway writes them under AWS_IAM: an assumed role's session, its caller id, the temporary key id and the
    // signer's account (another account than the API's, as a cross-account invoker would be).
    private const string RoleSessionArn = "arn:aws:sts::444455556666:assumed-role/pacs-gateway/classify-2026-12-07";
    private const string RoleCaller = "AROA3XFRBF535PLBIFPI4:classify-2026-12-07";
    private const string AccessKey = "ASIAWNZPUK2XQ7EXAMPL";
    private const string SignerAccount = "444455556666";

    // Under COGNITO_USER_POOLS: the ID token's claims as the REST API passes them (strings).
    private const string Subject = "7c1f2a90-51e1-7079-3f5c-9e2b4d8a6c11";
    private const string Email = "r.okafor@stmarys-radiology.example";
    private const string UserName = "entra_r.okafor";

    private readonly TestEfs _efs = TestEfs.WithSmallModel();
    private readonly MemoryLogSink _log = new();
    private S3Server _s3 = null!;
    private Function.Function _function = null!;

    public async Task InitializeAsync()
    {
        _s3 = await S3Server.StartAsync();
        _function = _efs.CreateFunction(_log, extra: [.. _s3.FunctionEnvironment().Where(v => v.Value is not null).Select(v => (v.Key, v.Value!))]);
    }

    public async Task DisposeAsync()
    {
        _function.Dispose();
        await _s3.DisposeAsync();
        _efs.Dispose();
    }

    public enum Identity { Iam, UserPool }

    public enum Answer { ClassificationJson, Fhir, StructuredReport, UploadForm, StoreInstances, Health }

    public static TheoryData<Identity, Answer> Cases()
    {
        var cases = new TheoryData<Identity, Answer>();
        foreach (var identity in Enum.GetValues<Identity>())
            foreach (var answer in Enum.GetValues<Answer>())
                cases.Add(identity, answer);
        return cases;
    }

    /// <summary>The request for <paramref name="answer"/>, and the media type its answer has (200; 201 for an upload form).</summary>
    private static (ProxyEventBuilder Request, string MediaType) Request(Answer answer) => answer switch
    {
        Answer.ClassificationJson => (ProxyEventBuilder.Post("/prod/classify").BinaryBody(TestImages.Xray, "image/png"), "application/json"),
        Answer.Fhir => (ProxyEventBuilder.Post("/prod/classify").BinaryBody(TestImages.Xray, "image/png").Header("Accept", "application/fhir+json"), "application/fhir+json"),
        Answer.StructuredReport => (ProxyEventBuilder.Post("/prod/classify").BinaryBody(StowTests.Radiograph("1.2.826.0.1.3680043.10.1234.1.7"), "application/dicom")
            .Header("Accept", "application/dicom"), "application/dicom"),
        Answer.UploadForm => (ProxyEventBuilder.Post("/prod/uploads").BinaryBody([], "application/json"), "application/json"),
        Answer.StoreInstances => (ProxyEventBuilder.Post("/prod/studies").BinaryBody(
            StowMultipartRelatedTests.Body("CallerBoundary-4c2e", "application/dicom", StowTests.Radiograph("1.2.826.0.1.3680043.10.1234.1.8")), Related), "application/dicom+json"),
        Answer.Health => (ProxyEventBuilder.Get("/prod/health"), "application/json"),
        _ => throw new ArgumentOutOfRangeException(nameof(answer)),
    };

    private static void Authenticate(Identity identity, ProxyRequestContext context)
    {
        switch (identity)
        {
            case Identity.Iam:
                context.Identity!.UserArn = RoleSessionArn;
                context.Identity.Caller = RoleCaller;
                context.Identity.AccessKey = AccessKey;
                context.Identity.AccountId = SignerAccount;
                context.Identity.User = RoleCaller;
                break;
            case Identity.UserPool:
                context.Authorizer = new Dictionary<string, JsonElement>
                {
                    ["claims"] = JsonDocument.Parse($$"""
                        {"sub":"{{Subject}}","email":"{{Email}}","email_verified":"true","cognito:username":"{{UserName}}",
                         "cognito:groups":"radiologists","token_use":"id","aud":"4q7l0g2n8tm1s3vb5c9k6d0e1f",
                         "iss":"https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Ab12Cd34E","auth_time":"1765100000",
                         "exp":"Mon Dec 07 18:30:00 UTC 2026"}
                        """).RootElement,
                };
                break;
        }
    }

    /// <summary>What of the caller must not be in an answer: everything API Gateway told the function about them.</summary>
    private static string[] Secrets(Identity identity) => identity switch
    {
        Identity.Iam => [RoleSessionArn, "pacs-gateway", RoleCaller, "AROA3XFRBF535PLBIFPI4", AccessKey, SignerAccount],
        Identity.UserPool => [Subject, Email, "stmarys-radiology", UserName, "radiologists", "eu-west-1_Ab12Cd34E"],
        _ => throw new ArgumentOutOfRangeException(nameof(identity)),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task LogsTheCallerAndAnswersWithoutThem(Identity identity, Answer kind)
    {
        var (builder, mediaType) = Request(kind);
        var request = builder.ToProxyRequest();
        Authenticate(identity, request.RequestContext!);

        using var output = await _function.FunctionHandler(new MemoryStream(ProxyEventBuilder.ToUtf8(request)));
        string raw = new StreamReader(output, Encoding.UTF8).ReadToEnd();
        var answer = ProxyAnswer.Read(new MemoryStream(Encoding.UTF8.GetBytes(raw)));

        // A real answer of the kind asked for, not a refusal.
        Assert.True(answer.Status == (kind is Answer.UploadForm ? 201 : 200), $"{answer.Status}: {answer.Body}");
        Assert.StartsWith(mediaType, answer.Header("Content-Type"), StringComparison.Ordinal);
        if (kind is Answer.ClassificationJson) Assert.Equal(14, answer.Json.GetProperty("predictions").GetArrayLength());
        if (kind is Answer.StructuredReport) Assert.Equal("DICM", Encoding.ASCII.GetString(answer.BodyBytes, 128, 4));

        // The log line names the caller as API Gateway did.
        var line = Assert.Single(_log.RequestLines(), l => l.GetProperty("requestId").GetString() == request.RequestContext!.RequestId);
        var caller = line.GetProperty("caller");
        switch (identity)
        {
            case Identity.Iam:
                Assert.Equal(RoleSessionArn, caller.GetProperty("userArn").GetString());
                Assert.Equal(RoleCaller, caller.GetProperty("caller").GetString());
                break;
            case Identity.UserPool:
                Assert.Equal(Subject, caller.GetProperty("sub").GetString());
                Assert.DoesNotContain(Email, _log.AllText);
                break;
        }

        // None of it in the answer: the proxy result as sent (status, every header, the body as carried) and the body
        // decoded (a DICOM SR travels base64-encoded; its text values are ASCII or UTF-8 in the bytes).
        string body = Encoding.Latin1.GetString(answer.BodyBytes) + "\n" + answer.Body;
        // The upload form's POST policy is base64 JSON: read it as S3 will.
        if (kind is Answer.UploadForm)
            body += "\n" + Encoding.UTF8.GetString(Convert.FromBase64String(answer.Json.GetProperty("fields").GetProperty("Policy").GetString()!));
        string headers = string.Join("\n", answer.Headers.Select(h => $"{h.Key}: {h.Value}"));
        foreach (var secret in Secrets(identity))
        {
            Assert.DoesNotContain(secret, raw, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(secret, headers, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(secret, body, StringComparison.OrdinalIgnoreCase);
        }
    }
}
