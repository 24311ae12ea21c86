namespace XrayClassifier.Function.Configuration;

/// <summary>
/// Where identity comes from (an OpenID issuer, its key set, a sign-in server's endpoints): https, or http to this
/// machine only (RFC 8252 §8.3's loopback exception, for a local issuer in development, tests and <c>serve</c>). Keys or
/// tokens fetched in the clear over a network could be anyone's. The one rule for every such address.
/// </summary>
public static class IdentityEndpoint
{
    public static bool IsTrusted(Uri uri) =>
        uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback);
}
