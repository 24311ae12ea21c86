using Amazon.Runtime;
using XrayClassifier.Function.Configuration;

namespace XrayClassifier.Function.Uploads;

/// <summary>
/// The credentials the function signs upload forms and reads objects with, from <c>AWS_ACCESS_KEY_ID</c>,
/// <c>AWS_SECRET_ACCESS_KEY</c> and <c>AWS_SESSION_TOKEN</c> read through <see cref="IEnvironmentVariables"/>
/// like every other setting: in Lambda these are the role's temporary credentials (the same ones the SDK's
/// own chain would find), and the local tool's and the tests' environments reach the SDK too, e.g.
/// s3rver's <c>S3RVER</c>/<c>S3RVER</c>.
/// </summary>
public static class EnvironmentCredentials
{
    /// <summary>The named credentials, or null (the SDK's default chain: profile, container, instance role)
    /// when the key id or the secret is not set.</summary>
    public static AWSCredentials? From(IEnvironmentVariables env)
    {
        string? Text(string name) => env.Get(name) is { } v && !string.IsNullOrWhiteSpace(v) ? v.Trim() : null;
        if (Text("AWS_ACCESS_KEY_ID") is not { } id || Text("AWS_SECRET_ACCESS_KEY") is not { } secret) return null;
        return Text("AWS_SESSION_TOKEN") is { } token ? new SessionAWSCredentials(id, secret, token) : new BasicAWSCredentials(id, secret);
    }
}
