using System.Globalization;

namespace XrayClassifier.Function.Configuration;

/// <summary>
/// Where the Structured Reports go (<see cref="XrayOptions.ResultsDestination"/>): a DICOMweb server that takes STOW-RS, and
/// how to authenticate to it. Built by <see cref="XrayOptions.FromEnvironment"/>; a bad value is one of its problems, so
/// the function answers 503 naming the variable as for every other setting. The authorization value is a secret: it is
/// sent as the <c>Authorization</c> header and nowhere else (not logged, not answered, withheld by <see cref="ToString"/>).
/// </summary>
public sealed class ResultsDestinationSettings
{
    public const string UrlVariable = "XRAY_RESULTS_STOW_URL";
    public const string AuthorizationVariable = "XRAY_RESULTS_STOW_AUTHORIZATION";
    public const string TimeoutVariable = "XRAY_RESULTS_STOW_TIMEOUT_SECONDS";

    /// <summary>Well under API Gateway's 29 s, and capped again by the invocation's remaining time: an SR is a few kB.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    /// <summary>The DICOMweb base URL (the one <c>{base}/studies</c> is under), ending in '/'; null when SRs are not delivered.</summary>
    public Uri? BaseUrl { get; init; }

    /// <summary>The <c>Authorization</c> header value (<c>Basic …</c>, <c>Bearer …</c>), or null to send none.</summary>
    public string? Authorization { get; init; }

    /// <summary>The longest one delivery may take, the invocation's remaining time permitting.</summary>
    public TimeSpan Timeout { get; init; } = DefaultTimeout;

    public bool IsConfigured => BaseUrl is not null;

    public override string ToString() =>
        $"{nameof(ResultsDestinationSettings)} {{ BaseUrl = {BaseUrl?.ToString() ?? "(none)"}, Authorization = {(Authorization is null ? "(none)" : "(set, withheld)")}, Timeout = {Timeout} }}";

    /// <summary>The settings, and what is wrong with them (each naming its variable; never the authorization's value).</summary>
    internal static (ResultsDestinationSettings Settings, List<string> Problems) FromEnvironment(IEnvironmentVariables env)
    {
        var problems = new List<string>();
        string? Text(string name) => env.Get(name) is { } v && !string.IsNullOrWhiteSpace(v) ? v.Trim() : null;

        Uri? url = null;
        if (Text(UrlVariable) is { } urlText)
        {
            if (Uri.TryCreate(urlText, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
                && string.IsNullOrEmpty(uri.Query) && string.IsNullOrEmpty(uri.Fragment) && string.IsNullOrEmpty(uri.UserInfo))
            {
                url = uri.AbsoluteUri.EndsWith('/') ? uri : new Uri(uri.AbsoluteUri + "/");
            }
            else
            {
                problems.Add($"{UrlVariable}='{urlText}' is not the http(s) base URL of a DICOMweb server without query or " +
                    $"credentials (e.g. https://pacs.example.org/dicom-web; the SRs go to {{base}}/studies/{{StudyInstanceUID}}). " +
                    $"Credentials go in {AuthorizationVariable}.");
            }
        }

        string? authorization = Text(AuthorizationVariable);
        if (authorization is not null && !authorization.All(c => c is >= ' ' and <= '~'))
        {
            problems.Add($"{AuthorizationVariable} is not a header value (printable ASCII on one line, e.g. 'Basic dXNlcjpwYXNz').");
            authorization = null;
        }
        if (authorization is not null && url is null && Text(UrlVariable) is null)
            problems.Add($"{AuthorizationVariable} is set but {UrlVariable} is not: set the DICOMweb server's base URL too.");

        var timeout = DefaultTimeout;
        if (Text(TimeoutVariable) is { } timeoutText)
        {
            if (int.TryParse(timeoutText, NumberStyles.None, CultureInfo.InvariantCulture, out int seconds) && seconds is >= 1 and <= 300)
                timeout = TimeSpan.FromSeconds(seconds);
            else
                problems.Add($"{TimeoutVariable}='{timeoutText}' is not a whole number of seconds from 1 to 300.");
        }
        return (new ResultsDestinationSettings { BaseUrl = url, Authorization = authorization, Timeout = timeout }, problems);
    }
}
