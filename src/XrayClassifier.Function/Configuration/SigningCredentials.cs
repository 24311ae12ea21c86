namespace XrayClassifier.Function.Configuration;

/// <summary>
/// The credentials the function signs upload forms and reads objects with, from <c>AWS_ACCESS_KEY_ID</c>,
/// <c>AWS_SECRET_ACCESS_KEY</c> and <c>AWS_SESSION_TOKEN</c>: in Lambda the role's temporary credentials (the same ones
/// the SDK's own chain would find); locally and in the tests those of an S3-protocol server (s3rver's
/// <c>S3RVER</c>/<c>S3RVER</c>). Not a record: its text never shows the secret or the token, wherever it is printed.
/// </summary>
public sealed class SigningCredentials(string accessKeyId, string secretAccessKey, string? sessionToken)
{
    public const string AccessKeyIdVariable = "AWS_ACCESS_KEY_ID";
    public const string SecretAccessKeyVariable = "AWS_SECRET_ACCESS_KEY";
    public const string SessionTokenVariable = "AWS_SESSION_TOKEN";

    public string AccessKeyId { get; } = accessKeyId;
    public string SecretAccessKey { get; } = secretAccessKey;
    /// <summary>Present for temporary credentials (Lambda's role); null for a long-term key.</summary>
    public string? SessionToken { get; } = sessionToken;

    public override string ToString() => $"{AccessKeyId} (secret{(SessionToken is null ? "" : " and session token")} not shown)";
}
