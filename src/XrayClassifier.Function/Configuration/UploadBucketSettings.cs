using System.Globalization;

namespace XrayClassifier.Function.Configuration;

/// <summary>
/// The upload bucket's settings (<see cref="XrayOptions.Uploads"/>). Like <see cref="XrayOptions"/>, parsing never throws:
/// a bad value is kept in <see cref="Problems"/> (naming the variable) and its default used, so the bucket
/// answers a typed "misconfigured" failure instead of breaking INIT — and the rest of the API is unaffected.
/// </summary>
public sealed class UploadBucketSettings
{
    public const string BucketVariable = "XRAY_UPLOAD_BUCKET";
    public const string MaxUploadBytesVariable = "XRAY_MAX_UPLOAD_BYTES";
    public const string UrlLifetimeVariable = "XRAY_UPLOAD_URL_SECONDS";
    public const string EndpointVariable = "XRAY_S3_ENDPOINT";
    public const string TimeoutVariable = "XRAY_S3_TIMEOUT_SECONDS";
    public const string RegionVariable = "AWS_REGION";

    /// <summary>32 MiB: an uncompressed 16-bit chest DICOM (2500 × 3000 × 2 B ≈ 15 MB) with room to spare,
    /// far over the ≈ 4.4 MB an image can have inside Lambda's 6 MB event.</summary>
    public const long DefaultMaxUploadBytes = 32L * 1024 * 1024;
    /// <summary>S3 refuses POST policies over 5 GB in one request.</summary>
    public const long LargestMaxUploadBytes = 5L * 1024 * 1024 * 1024;
    public static readonly TimeSpan DefaultUrlLifetime = TimeSpan.FromMinutes(15);
    /// <summary>12 hours: the URL is signed with the function role's temporary credentials, which end
    /// sooner than that whatever the policy says; SigV4 itself allows 7 days.</summary>
    public static readonly TimeSpan LongestUrlLifetime = TimeSpan.FromHours(12);
    /// <summary>Well under API Gateway's 29 s: a 32 MiB GET through a gateway endpoint takes about a second.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);
    /// <summary>The region assumed for a local S3-protocol endpoint when AWS_REGION is not set.</summary>
    public const string LocalEndpointRegion = "us-east-1";

    /// <summary>Bucket name (<c>XRAY_UPLOAD_BUCKET</c>); null when uploads are not configured.</summary>
    public string? BucketName { get; init; }
    /// <summary>Largest object accepted (<c>XRAY_MAX_UPLOAD_BYTES</c>): in the POST policy and again before reading.</summary>
    public long MaxUploadBytes { get; init; } = DefaultMaxUploadBytes;
    /// <summary>How long an issued upload form stays valid (<c>XRAY_UPLOAD_URL_SECONDS</c>).</summary>
    public TimeSpan UrlLifetime { get; init; } = DefaultUrlLifetime;
    /// <summary>A local S3-protocol server (<c>XRAY_S3_ENDPOINT</c>, e.g. <c>http://127.0.0.1:4569</c>),
    /// addressed path-style; null for AWS.</summary>
    public Uri? Endpoint { get; init; }
    /// <summary>Deadline for one fetch, HEAD and GET and body together, or one delete (<c>XRAY_S3_TIMEOUT_SECONDS</c>).</summary>
    public TimeSpan Timeout { get; init; } = DefaultTimeout;
    /// <summary>Region (<c>AWS_REGION</c>, which Lambda sets); <see cref="LocalEndpointRegion"/> for a local endpoint without one.</summary>
    public string? Region { get; init; }

    /// <summary>What to sign with; null when <c>AWS_ACCESS_KEY_ID</c> or <c>AWS_SECRET_ACCESS_KEY</c> is not set (the SDK's
    /// default chain then: profile, container, instance role).</summary>
    public SigningCredentials? Credentials { get; init; }

    /// <summary>Settings that could not be used, each naming the variable and what it accepts.</summary>
    public IReadOnlyList<string> Problems { get; init; } = [];

    public bool IsConfigured => BucketName is not null;

    public static UploadBucketSettings FromEnvironment(IEnvironmentVariables env)
    {
        var problems = new List<string>();
        string? Text(string name) => env.Get(name) is { } v && !string.IsNullOrWhiteSpace(v) ? v.Trim() : null;

        long? WholeNumber(string name, long min, long max, string unit)
        {
            if (Text(name) is not { } s) return null;
            if (long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out long v) && v >= min && v <= max) return v;
            problems.Add($"{name}='{s}' is not a whole number of {unit} from {min} to {max}.");
            return null;
        }

        var bucket = Text(BucketVariable);
        if (bucket is not null && !IsBucketName(bucket))
        {
            problems.Add($"{BucketVariable}='{bucket}' is not an S3 bucket name (3–63 characters: a-z, 0-9, '.', '-'; " +
                "starting and ending with a letter or digit). Give the name, not an ARN or URL.");
        }

        Uri? endpoint = null;
        if (Text(EndpointVariable) is { } endpointText)
        {
            if (Uri.TryCreate(endpointText, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
                && uri.AbsolutePath == "/" && string.IsNullOrEmpty(uri.Query))
            {
                endpoint = uri;
            }
            else
            {
                problems.Add($"{EndpointVariable}='{endpointText}' is not an http(s) URL of a server root " +
                    "(e.g. http://127.0.0.1:4569); the bucket goes in XRAY_UPLOAD_BUCKET.");
            }
        }

        var region = Text(RegionVariable);
        if (region is null && endpoint is not null) region = LocalEndpointRegion;
        if (region is null && bucket is not null)
            problems.Add($"{RegionVariable} is not set (Lambda sets it), so the upload bucket's region is unknown.");

        return new UploadBucketSettings
        {
            BucketName = bucket,
            MaxUploadBytes = WholeNumber(MaxUploadBytesVariable, 1, LargestMaxUploadBytes, "bytes") ?? DefaultMaxUploadBytes,
            UrlLifetime = WholeNumber(UrlLifetimeVariable, 1, (long)LongestUrlLifetime.TotalSeconds, "seconds") is long s
                ? TimeSpan.FromSeconds(s) : DefaultUrlLifetime,
            Endpoint = endpoint,
            Timeout = WholeNumber(TimeoutVariable, 1, 300, "seconds") is long t ? TimeSpan.FromSeconds(t) : DefaultTimeout,
            Region = region,
            Credentials = Text(SigningCredentials.AccessKeyIdVariable) is { } id && Text(SigningCredentials.SecretAccessKeyVariable) is { } secret
                ? new SigningCredentials(id, secret, Text(SigningCredentials.SessionTokenVariable)) : null,
            Problems = problems,
        };
    }

    private static bool LooksLikeIpAddress(string name)
    {
        var parts = name.Split('.');
        return parts.Length == 4 && parts.All(p => p.Length is > 0 and <= 3 && p.All(char.IsAsciiDigit));
    }

    /// <summary>S3's rules for general purpose bucket names (no uppercase, no underscores, no IP-like names).</summary>
    public static bool IsBucketName(string name)
    {
        if (name.Length is < 3 or > 63) return false;
        foreach (char c in name)
        {
            if (c is not ((>= 'a' and <= 'z') or (>= '0' and <= '9') or '.' or '-')) return false;
        }
        return char.IsAsciiLetterOrDigit(name[0]) && char.IsAsciiLetterOrDigit(name[^1])
            && !name.Contains("..", StringComparison.Ordinal)
            && !LooksLikeIpAddress(name);
    }
}
