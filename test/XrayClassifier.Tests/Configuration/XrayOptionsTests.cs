using System.Text.RegularExpressions;
using XrayClassifier.Function.Configuration;

namespace XrayClassifier.Tests.Configuration;

/// <summary>XrayOptions is the one place settings are read: the upload bucket's, the signing credentials, Lambda's own
/// variables (function name, Runtime API) all come from it, and no other source file reads the environment.</summary>
public partial class XrayOptionsTests
{
    private static XrayOptions Read(params (string Name, string? Value)[] variables) =>
        XrayOptions.FromEnvironment(new DictionaryEnvironmentVariables(variables.ToDictionary(v => v.Name, v => v.Value)));

    [Fact]
    public void AnIssuerMakesTheTokenAuthorizerAndMustBeHttpsWithAnAudience()
    {
        var entra = Read(("XRAY_OIDC_ISSUER", "https://login.microsoftonline.com/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0/v2.0"), ("XRAY_OIDC_AUDIENCE", "api://xray"));
        Assert.True(entra.IsTokenAuthorizer);
        Assert.Equal("https://login.microsoftonline.com/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0/v2.0", entra.OidcIssuer!.IssuerText);
        Assert.Equal("api://xray", entra.OidcIssuer.Audience);
        Assert.Empty(entra.OidcIssuerProblems);
        Assert.True(Read(("XRAY_OIDC_ISSUER", "http://127.0.0.1:8080/t/v2.0"), ("XRAY_OIDC_AUDIENCE", "a")).OidcIssuer is not null);

        Assert.False(Read().IsTokenAuthorizer);
        // Still the authorizer (never the classifier by mistake), but unusable, saying why.
        foreach (var (issuer, audience, problem) in new[]
        {
            ("http://login.example.org/t/v2.0", "a", "XRAY_OIDC_ISSUER"), ("https://x.example/?tenant=1", "a", "XRAY_OIDC_ISSUER"),
            ("not a url", "a", "XRAY_OIDC_ISSUER"), ("https://login.example.org/t/v2.0", (string?)null, "XRAY_OIDC_AUDIENCE"),
        })
        {
            var o = Read(("XRAY_OIDC_ISSUER", issuer), ("XRAY_OIDC_AUDIENCE", audience));
            Assert.True(o.IsTokenAuthorizer);
            Assert.Null(o.OidcIssuer);
            Assert.Contains(o.OidcIssuerProblems, p => p.StartsWith(problem, StringComparison.Ordinal));
        }
        Assert.Contains("XRAY_OIDC_ISSUER", Assert.Single(Read(("XRAY_OIDC_AUDIENCE", "a")).OidcIssuerProblems));
    }

    [Fact]
    public void ReadsLambdasOwnVariables()
    {
        var lambda = Read(("AWS_LAMBDA_FUNCTION_NAME", "xray-classifier"), ("AWS_LAMBDA_RUNTIME_API", " 127.0.0.1:9001 "));
        Assert.Equal("xray-classifier", lambda.FunctionName);
        Assert.Equal("127.0.0.1:9001", lambda.RuntimeApi);

        var local = Read();
        Assert.Equal("local", local.FunctionName);
        Assert.Null(local.RuntimeApi);
        Assert.Null(Read(("AWS_LAMBDA_RUNTIME_API", "  ")).RuntimeApi);
    }

    [Fact]
    public void ReadsTheResultsDestinationAndNeverRepeatsItsAuthorization()
    {
        const string secret = "Basic eHJheTpzM2NyZXQ=";
        var o = Read(("XRAY_RESULTS_STOW_URL", " https://pacs.example.org/dicom-web "), ("XRAY_RESULTS_STOW_AUTHORIZATION", secret),
            ("XRAY_RESULTS_STOW_TIMEOUT_SECONDS", "4"));
        Assert.Empty(o.Problems);
        Assert.Equal("https://pacs.example.org/dicom-web/", o.ResultsDestination.BaseUrl!.AbsoluteUri);
        Assert.Equal(secret, o.ResultsDestination.Authorization);
        Assert.Equal(TimeSpan.FromSeconds(4), o.ResultsDestination.Timeout);
        Assert.DoesNotContain("eHJheT", o.ResultsDestination.ToString(), StringComparison.Ordinal);
        Assert.False(Read().ResultsDestination.IsConfigured);

        // Bad values are the function's problems (503 naming the variable), and never quote the authorization.
        var bad = Read(("XRAY_RESULTS_STOW_URL", "https://user:pw@pacs.example.org/dicom-web?x=1"), ("XRAY_RESULTS_STOW_TIMEOUT_SECONDS", "0"));
        Assert.Contains(bad.Problems, p => p.StartsWith("XRAY_RESULTS_STOW_URL=", StringComparison.Ordinal));
        Assert.Contains(bad.Problems, p => p.StartsWith("XRAY_RESULTS_STOW_TIMEOUT_SECONDS='0'", StringComparison.Ordinal));
        Assert.Contains(Read(("XRAY_RESULTS_STOW_URL", "ftp://pacs/")).Problems, p => p.StartsWith("XRAY_RESULTS_STOW_URL=", StringComparison.Ordinal));
        var unsent = Read(("XRAY_RESULTS_STOW_AUTHORIZATION", secret));
        Assert.Contains(unsent.Problems, p => p.Contains("XRAY_RESULTS_STOW_URL is not", StringComparison.Ordinal));
        var twoLines = Read(("XRAY_RESULTS_STOW_URL", "http://127.0.0.1:8042/dicom-web/"), ("XRAY_RESULTS_STOW_AUTHORIZATION", "Basic a\nX-Injected: 1"));
        Assert.Contains(twoLines.Problems, p => p.StartsWith("XRAY_RESULTS_STOW_AUTHORIZATION is not a header value", StringComparison.Ordinal));
        Assert.Null(twoLines.ResultsDestination.Authorization);
        Assert.DoesNotContain(secret, string.Join(" ", unsent.Problems), StringComparison.Ordinal);
    }

    [Fact]
    public void ReadsTheArchiveBatchSizeCappedAndRefusesWhatIsNotAPositiveNumber()
    {
        Assert.Equal(4, Read().ArchiveBatchSize);
        Assert.Equal(1, Read(("XRAY_ARCHIVE_BATCH_SIZE", "1")).ArchiveBatchSize);
        Assert.Equal(8, Read(("XRAY_ARCHIVE_BATCH_SIZE", " 8 ")).ArchiveBatchSize);
        Assert.Equal(16, Read(("XRAY_ARCHIVE_BATCH_SIZE", "1000")).ArchiveBatchSize);
        foreach (var bad in new[] { "0", "-2", "four" })
        {
            var o = Read(("XRAY_ARCHIVE_BATCH_SIZE", bad));
            Assert.Equal(4, o.ArchiveBatchSize);
            Assert.Contains(o.Problems, p => p.StartsWith($"XRAY_ARCHIVE_BATCH_SIZE='{bad}' is not a positive whole number", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void BuildsTheUploadBucketsSettingsWithTheirOwnProblems()
    {
        var o = Read(("XRAY_UPLOAD_BUCKET", "xray-uploads-123"), ("AWS_REGION", "eu-west-1"), ("XRAY_UPLOAD_URL_SECONDS", "forever"));
        Assert.Equal("xray-uploads-123", o.Uploads.BucketName);
        Assert.Equal("eu-west-1", o.Uploads.Region);
        // A bad upload setting fails the upload route only (503 naming it there), never classification.
        Assert.Contains(o.Uploads.Problems, p => p.StartsWith("XRAY_UPLOAD_URL_SECONDS='forever'", StringComparison.Ordinal));
        Assert.Empty(o.Problems);
        Assert.False(Read().Uploads.IsConfigured);
    }

    [Fact]
    public void ReadsSigningCredentialsAndNeverPrintsTheSecret()
    {
        var temporary = Read(("AWS_ACCESS_KEY_ID", "ASIAEXAMPLE"), ("AWS_SECRET_ACCESS_KEY", "s3cr3t-value"), ("AWS_SESSION_TOKEN", "t0ken-value")).Uploads.Credentials;
        Assert.NotNull(temporary);
        Assert.Equal(("ASIAEXAMPLE", "s3cr3t-value", "t0ken-value"), (temporary.AccessKeyId, temporary.SecretAccessKey, temporary.SessionToken));
        Assert.DoesNotContain("s3cr3t", temporary.ToString());
        Assert.DoesNotContain("t0ken", temporary.ToString());

        var longTerm = Read(("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE"), ("AWS_SECRET_ACCESS_KEY", "s3cr3t-value")).Uploads.Credentials;
        Assert.Null(longTerm!.SessionToken);
        // Without both the key id and the secret: none (the SDK's default chain).
        Assert.Null(Read(("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE")).Uploads.Credentials);
    }

    [GeneratedRegex(@"GetEnvironmentVariables?\(|\b(env|environment|variables)\.Get\(")]
    private static partial Regex EnvironmentRead();

    [Fact]
    public void NoSourceFileOutsideConfigurationReadsTheEnvironment()
    {
        string src = Path.Combine(TestEnvironment.RepoRoot, "src");
        string configuration = Path.Combine(src, "XrayClassifier.Function", "Configuration") + Path.DirectorySeparatorChar;
        var readers = Directory.EnumerateFiles(src, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                        && !f.StartsWith(configuration, StringComparison.Ordinal)
                        && EnvironmentRead().IsMatch(File.ReadAllText(f)))
            .Select(f => Path.GetRelativePath(src, f));
        Assert.Empty(readers);
    }
}
