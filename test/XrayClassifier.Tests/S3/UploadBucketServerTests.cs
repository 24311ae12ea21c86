using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using XrayClassifier.Function.Configuration;
using XrayClassifier.Function.Uploads;

namespace XrayClassifier.Tests.S3;

/// <summary>One s3rver for the tests of this class that leave the server running.</summary>
public sealed class S3ServerFixture : IAsyncLifetime
{
    internal S3Server Server { get; private set; } = null!;
    public async Task InitializeAsync() => Server = await S3Server.StartAsync();
    public async Task DisposeAsync() => await Server.DisposeAsync();
}

/// <summary>
/// The upload bucket against a real S3-protocol server on 127.0.0.1: forms signed by the real SDK, uploads
/// sent by a plain HTTP client as a browser sends them, objects read back and deleted by the SDK.
/// </summary>
public class UploadBucketServerTests(S3ServerFixture fixture) : IClassFixture<S3ServerFixture>
{
    private S3Server Server => fixture.Server;

    /// <summary>The size of an uncompressed 2500 × 3000 16-bit study: far over Lambda's 6 MB event.</summary>
    private const int StudyBytes = 15 * 1024 * 1024;

    private static byte[] Bytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private static async Task<UploadBucketException> Refused(Func<Task> action) => await Assert.ThrowsAsync<UploadBucketException>(action);

    [Fact]
    public async Task CarriesA15MegabyteStudyFromTheFormToTheFunctionAndDeletesIt()
    {
        using var bucket = Server.CreateBucket();
        var study = Bytes(StudyBytes, seed: 1);

        var ticket = await bucket.IssueAsync();
        var (status, body) = await BrowserUpload.PostAsync(ticket, study);
        Assert.True(status == HttpStatusCode.NoContent, $"{status}: {body}");
        Assert.True(Server.HoldsObject(ticket.Key));

        int allocated = -1;
        var fetched = await bucket.FetchAsync(ticket.Key, allocate: n => new byte[allocated = n]);

        Assert.Equal(ticket.Key, fetched.Key);
        Assert.Equal(StudyBytes, allocated);
        Assert.Equal(StudyBytes, fetched.Length);
        Assert.True(fetched.Content.Span.SequenceEqual(study));

        await bucket.DeleteAsync(ticket.Key);
        Assert.False(Server.HoldsObject(ticket.Key));
    }

    [Fact]
    public async Task IssuesAFormForOneKeyUnderTheUploadsPrefixWithTheCapAndExpiry()
    {
        var clock = new ManualClock(new DateTimeOffset(2026, 11, 22, 10, 15, 30, 123, TimeSpan.Zero).AddTicks(4567));
        using var bucket = Server.CreateBucket(maxUploadBytes: 20_000_000, clock: clock);

        var first = await bucket.IssueAsync();
        var second = await bucket.IssueAsync();

        Assert.Matches("^uploads/2026/11/22/[0-9a-f]{32}$", first.Key);
        Assert.NotEqual(first.Key, second.Key);
        Assert.Equal("POST", first.Method);
        Assert.Equal(new Uri(Server.Endpoint, Server.Bucket).AbsoluteUri.TrimEnd('/'), first.Url.TrimEnd('/'));
        Assert.Equal(new DateTimeOffset(2026, 11, 22, 10, 30, 30, 123, TimeSpan.Zero), first.ExpiresAt);
        Assert.Equal(20_000_000, first.MaxBytes);
        Assert.Equal(first.Key, first.Fields["key"]);
        Assert.Equal($$"""{"s3Key":"{{first.Key}}"}""", first.ClassifyRequestJson);
        Assert.Equal(first.Key, JsonDocument.Parse(first.ClassifyRequestJson).RootElement.GetProperty("s3Key").GetString());
        Assert.Contains("POST …/classify", first.ClassifyHint);
        // "Policy" as the SDK spells it: S3 matches form field names case-insensitively.
        Assert.Equal(["Policy", "key", "x-amz-algorithm", "x-amz-credential", "x-amz-date", "x-amz-signature"],
            first.Fields.Keys.Order(StringComparer.Ordinal));
    }

    /// <summary>
    /// s3rver stores a POST without checking its policy or signature, so what S3 enforces is checked
    /// here from the form itself: the policy names the bucket, exactly the key, the size range and the
    /// expiry, and the signature is SigV4 over that policy with the configured secret (computed
    /// independently of the SDK).
    /// </summary>
    [Fact]
    public async Task SignsAPolicyThatMakesS3EnforceBucketKeySizeAndExpiry()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        using var bucket = Server.CreateBucket(maxUploadBytes: StudyBytes, clock: clock);

        var ticket = await bucket.IssueAsync();

        var policyJson = Encoding.UTF8.GetString(Convert.FromBase64String(ticket.Fields["Policy"]));
        var policy = JsonDocument.Parse(policyJson).RootElement;
        Assert.Equal(ticket.ExpiresAt, DateTimeOffset.Parse(policy.GetProperty("expiration").GetString()!));
        Assert.Equal(ticket.ExpiresAt, clock.GetUtcNow().AddTicks(-(clock.GetUtcNow().Ticks % TimeSpan.TicksPerMillisecond)).AddMinutes(15));
        var conditions = policy.GetProperty("conditions").EnumerateArray().Select(c => c.GetRawText()).ToList();
        Assert.Contains($$"""{"bucket":"{{Server.Bucket}}"}""", conditions);
        Assert.Contains($$"""{"key":"{{ticket.Key}}"}""", conditions);
        Assert.Contains($"""["content-length-range",1,{StudyBytes}]""", conditions);
        Assert.DoesNotContain(conditions, c => c.Contains("starts-with"));

        Assert.Equal("AWS4-HMAC-SHA256", ticket.Fields["x-amz-algorithm"]);
        // The SDK ends the credential scope with a '/' (as it has for years); S3 accepts that.
        var credential = ticket.Fields["x-amz-credential"].TrimEnd('/').Split('/');
        Assert.Equal(["S3RVER", ticket.Fields["x-amz-date"][..8], "us-east-1", "s3", "aws4_request"], credential);
        // Every form field but the signature and the file must be a condition of the policy, or S3 refuses the form.
        foreach (var field in new[] { "x-amz-algorithm", "x-amz-credential", "x-amz-date" })
            Assert.Contains(JsonSerializer.Serialize(new Dictionary<string, string> { [field] = ticket.Fields[field] }), conditions);
        Assert.Equal(SigV4(S3Server.SecretKey, credential[1], credential[2], ticket.Fields["Policy"]), ticket.Fields["x-amz-signature"]);
    }

    private static string SigV4(string secret, string date, string region, string stringToSign)
    {
        static byte[] Hmac(byte[] key, string data) => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(data));
        var key = Hmac(Hmac(Hmac(Hmac(Encoding.UTF8.GetBytes("AWS4" + secret), date), region), "s3"), "aws4_request");
        return Convert.ToHexStringLower(Hmac(key, stringToSign));
    }

    [Fact]
    public async Task RefusesAnObjectOverTheCapFromItsSizeWithoutReadingIt()
    {
        using var bucket = Server.CreateBucket(maxUploadBytes: 1024 * 1024);
        var ticket = await bucket.IssueAsync();
        // Real S3 refuses this upload (content-length-range); s3rver stores it, so the function must still refuse it.
        var (status, _) = await BrowserUpload.PostAsync(ticket, Bytes(1024 * 1024 + 1, seed: 2));
        Assert.Equal(HttpStatusCode.NoContent, status);

        bool allocated = false;
        var e = await Refused(() => bucket.FetchAsync(ticket.Key, allocate: n => { allocated = true; return new byte[n]; }));

        Assert.Equal(UploadBucketFailure.TooLarge, e.Reason);
        Assert.Contains($"The uploaded object {ticket.Key} is {1024 * 1024 + 1} bytes; the largest accepted is {1024 * 1024} bytes", e.Message);
        Assert.False(allocated, "no buffer for the body may be taken for an object over the cap");
        Assert.Contains("XRAY_MAX_UPLOAD_BYTES", e.Message);
    }

    [Fact]
    public async Task ReadsAnObjectOfExactlyTheCap()
    {
        using var bucket = Server.CreateBucket(maxUploadBytes: 100_000);
        var ticket = await bucket.IssueAsync();
        var bytes = Bytes(100_000, seed: 3);
        await BrowserUpload.PostAsync(ticket, bytes);

        var fetched = await bucket.FetchAsync(ticket.Key);

        Assert.True(fetched.Content.Span.SequenceEqual(bytes));
    }

    [Fact]
    public async Task AnswersNotFoundForAnIssuedShapeNeverUploadedAndForADeletedObject()
    {
        using var bucket = Server.CreateBucket();
        var ticket = await bucket.IssueAsync();

        var never = await Refused(() => bucket.FetchAsync(ticket.Key));
        Assert.Equal(UploadBucketFailure.NotFound, never.Reason);
        Assert.Contains($"There is no uploaded object {ticket.Key} in the upload bucket", never.Message);

        await BrowserUpload.PostAsync(ticket, Bytes(1000, seed: 4));
        await bucket.FetchAsync(ticket.Key);
        await bucket.DeleteAsync(ticket.Key);
        var deleted = await Refused(() => bucket.FetchAsync(ticket.Key));
        Assert.Equal(UploadBucketFailure.NotFound, deleted.Reason);
        Assert.Contains("POST …/uploads", deleted.Message);

        await bucket.DeleteAsync(ticket.Key); // S3 answers a repeated delete with success too
    }

    [Fact]
    public async Task NeverAsksS3ForAKeyItDoesNotIssue()
    {
        using var bucket = Server.CreateBucket();
        // An object that exists, under a name the function never issues: it must stay unreadable.
        var ticket = await bucket.IssueAsync();
        var foreign = ticket with { Fields = new Dictionary<string, string>(ticket.Fields) { ["key"] = "secrets/config.json" } };
        Assert.Equal(HttpStatusCode.NoContent, (await BrowserUpload.PostAsync(foreign, Bytes(10, seed: 5))).Status);
        Assert.True(Server.HoldsObject("secrets/config.json"));

        foreach (var key in new[] { "secrets/config.json", "uploads/../secrets/config.json", ticket.Key.ToUpperInvariant(), ticket.Key + "0", "" })
        {
            var fetch = await Refused(() => bucket.FetchAsync(key));
            Assert.Equal(UploadBucketFailure.NotIssued, fetch.Reason);
            Assert.DoesNotContain("secrets", fetch.Message);
            if (key.Length > 0) Assert.DoesNotContain(key, fetch.Message); // the client's string is never echoed
            var delete = await Refused(() => bucket.DeleteAsync(key));
            Assert.Equal(UploadBucketFailure.NotIssued, delete.Reason);
        }
        Assert.True(Server.HoldsObject("secrets/config.json"));
    }

    [Fact]
    public async Task KeepsTheCallersCancellationApartFromAnS3Timeout()
    {
        using var bucket = Server.CreateBucket();
        var ticket = await bucket.IssueAsync();
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => bucket.FetchAsync(ticket.Key, cancellationToken: cancelled.Token));
    }
}

/// <summary>The upload bucket when S3 is missing, slow, failing or dies mid-answer: each test has its own server.</summary>
public class UploadBucketOutageTests
{
    private static async Task<UploadBucketException> Refused(Func<Task> action) => await Assert.ThrowsAsync<UploadBucketException>(action);

    private static void AssertNamesS3AndTheServer(UploadBucketException e, Uri endpoint)
    {
        Assert.Equal(UploadBucketFailure.Unavailable, e.Reason);
        Assert.StartsWith("S3 ", e.Message);
        Assert.Contains(endpoint.AbsoluteUri, e.Message);
        Assert.Contains("XRAY_S3_ENDPOINT", e.Message);
        Assert.DoesNotContain("S3RVER", e.Message); // no credentials in what the client sees
    }

    [Fact]
    public async Task AnswersUnavailableWhenS3StopsInTheMiddleOfTheBody()
    {
        await using var server = await S3Server.StartAsync();
        using var bucket = server.CreateBucket();
        var ticket = await bucket.IssueAsync();
        var study = new byte[24 * 1024 * 1024];
        new Random(6).NextBytes(study);
        Assert.Equal(HttpStatusCode.NoContent, (await BrowserUpload.PostAsync(ticket, study)).Status);

        // The buffer is asked for once the GET's headers are in and the body is streaming: kill S3 then.
        var e = await Refused(() => bucket.FetchAsync(ticket.Key, allocate: n => { server.Kill(); return new byte[n]; }));

        AssertNamesS3AndTheServer(e, server.Endpoint);
        Assert.Contains("reading the body of " + ticket.Key, e.Message);
    }

    [Fact]
    public async Task AnswersUnavailableWhenS3IsNotRunningYetStillIssuesForms()
    {
        var endpoint = S3Server.NothingListening();
        using var bucket = new UploadBucket(UploadBucketSettings.FromEnvironment(new DictionaryEnvironmentVariables(new Dictionary<string, string?>
        {
            ["XRAY_UPLOAD_BUCKET"] = "xray-uploads",
            ["XRAY_S3_ENDPOINT"] = endpoint.AbsoluteUri,
            ["XRAY_S3_TIMEOUT_SECONDS"] = "20",
        })), S3Server.Credentials);

        // Signing is local: a form can be issued while S3 is down (the upload itself then fails at S3).
        var ticket = await bucket.IssueAsync();
        var watch = Stopwatch.StartNew();
        var fetch = await Refused(() => bucket.FetchAsync(ticket.Key));
        var delete = await Refused(() => bucket.DeleteAsync(ticket.Key));

        AssertNamesS3AndTheServer(fetch, endpoint);
        Assert.Contains("refused", fetch.Message);
        AssertNamesS3AndTheServer(delete, endpoint);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(15), $"a refused connection took {watch.Elapsed} to report");
    }

    [Fact]
    public async Task AnswersUnavailableWhenS3DoesNotAnswerWithinTheDeadline()
    {
        await using var server = await S3Server.StartAsync();
        using var bucket = server.CreateBucket(timeoutSeconds: 1);
        var ticket = await bucket.IssueAsync();
        Assert.Equal(HttpStatusCode.NoContent, (await BrowserUpload.PostAsync(ticket, new byte[1000])).Status);

        server.Pause();
        var watch = Stopwatch.StartNew();
        var fetch = await Refused(() => bucket.FetchAsync(ticket.Key));
        var fetchTook = watch.Elapsed;
        server.Resume();

        AssertNamesS3AndTheServer(fetch, server.Endpoint);
        Assert.Contains("GET " + ticket.Key + " did not finish within 1 s (XRAY_S3_TIMEOUT_SECONDS)", fetch.Message);
        Assert.InRange(fetchTook, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(5));
        Assert.Equal(1000, (await bucket.FetchAsync(ticket.Key)).Length); // the same client recovers

        server.Pause();
        var delete = await Refused(() => bucket.DeleteAsync(ticket.Key));
        server.Resume();
        AssertNamesS3AndTheServer(delete, server.Endpoint);
        Assert.Contains("DELETE " + ticket.Key + " did not finish within 1 s", delete.Message);
    }

    [Fact]
    public async Task AnswersUnavailableWhenS3FailsWithServerErrors()
    {
        await using var server = await S3Server.StartAsync(failWith: 503);
        using var bucket = server.CreateBucket();
        var ticket = await bucket.IssueAsync();

        var fetch = await Refused(() => bucket.FetchAsync(ticket.Key));
        var delete = await Refused(() => bucket.DeleteAsync(ticket.Key));

        AssertNamesS3AndTheServer(fetch, server.Endpoint);
        Assert.Contains("failed with HTTP 503 ServiceUnavailable (after retries)", fetch.Message);
        AssertNamesS3AndTheServer(delete, server.Endpoint);
    }

    [Fact]
    public async Task AnswersNotConfiguredNamingTheVariableWithoutABucket()
    {
        using var bucket = BucketAsTheFunctionMakesIt(new DictionaryEnvironmentVariables(new Dictionary<string, string?>
        {
            ["AWS_REGION"] = "eu-west-1",
        }));

        foreach (var attempt in new Func<Task>[] { () => bucket.IssueAsync(), () => bucket.FetchAsync(UploadKey.Create(DateTimeOffset.UtcNow)), () => bucket.DeleteAsync("x") })
        {
            var e = await Refused(attempt);
            Assert.Equal(UploadBucketFailure.NotConfigured, e.Reason);
            Assert.Contains("XRAY_UPLOAD_BUCKET is not set", e.Message);
        }
    }

    [Fact]
    public async Task AnswersMisconfiguredNamingEachBadVariable()
    {
        using var bucket = BucketAsTheFunctionMakesIt(new DictionaryEnvironmentVariables(new Dictionary<string, string?>
        {
            ["XRAY_UPLOAD_BUCKET"] = "xray-uploads",
            ["AWS_REGION"] = "eu-west-1",
            ["XRAY_MAX_UPLOAD_BYTES"] = "lots",
            ["XRAY_S3_TIMEOUT_SECONDS"] = "0",
        }));

        var e = await Refused(() => bucket.IssueAsync());

        Assert.Equal(UploadBucketFailure.Misconfigured, e.Reason);
        Assert.Contains("XRAY_MAX_UPLOAD_BYTES='lots'", e.Message);
        Assert.Contains("XRAY_S3_TIMEOUT_SECONDS='0'", e.Message);
    }

    /// <summary>The bucket as ExecutionEnvironment makes it: from the settings <see cref="XrayOptions"/> read, with the
    /// test server's fixed credentials so that the SDK never looks anywhere else.</summary>
    private static UploadBucket BucketAsTheFunctionMakesIt(IEnvironmentVariables environment) =>
        new(XrayOptions.FromEnvironment(environment).Uploads, S3Server.Credentials);
}
