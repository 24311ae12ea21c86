using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using XrayClassifier.Function.EventSources;
using XrayClassifier.Function.EventSources.TokenAuthorizer;

namespace XrayClassifier.Fuzz.Targets;

/// <summary>EventSources/TokenAuthorizer: the bearer token reader, the issuer's key set reader and the TOKEN event reader —
/// what a caller (the token) and the issuer (its keys) send the authorizer, read by its own code.</summary>
internal static class TokenAuthorizerTargets
{
    public static FuzzTarget Token() => new()
    {
        Name = "jwt",
        Promise = "Never throws but UnauthorizedException; a token read has RS256 or ES256, bounded claims, and signs exactly its first two segments.",
        Exercise = input =>
        {
            var text = Encoding.UTF8.GetString(input);
            var token = JsonWebToken.FromAuthorization("Bearer " + text);
            Contract.Require("jwt", JsonWebKeySet.Supports(token.Algorithm), $"alg {token.Algorithm} was read as supported");
            Contract.Require("jwt", token.Subject is null or { Length: > 0 and <= JsonWebToken.MaxClaimLength }, "an unbounded or empty sub");
            Contract.Require("jwt", token.Issuer is null or { Length: > 0 and <= JsonWebToken.MaxClaimLength }, "an unbounded or empty iss");
            var compact = text.Trim(' ');
            Contract.Require("jwt", compact.StartsWith(Encoding.ASCII.GetString(token.SigningInput), StringComparison.Ordinal)
                && compact.Length > token.SigningInput.Length && compact[token.SigningInput.Length] == '.', "the signing input is not the token's first two segments");
        },
        IsRejection = e => e is UnauthorizedException,
        AllocationBudget = length => 64 * 1024 + 24L * length,
        Seeds = _ => Tokens(),
    };

    public static FuzzTarget KeySet() => new()
    {
        Name = "jwks",
        Promise = "Never throws but JsonException; at most 64 keys, each RS256 of 2048–8192 bits or ES256 on P-256, and none verifies a made-up signature.",
        Exercise = input =>
        {
            var keys = JsonWebKeySet.Read(input);
            Contract.Require("jwks", keys.Count <= JsonWebKeySet.MaxKeys, $"{keys.Count} keys");
            foreach (var key in keys)
            {
                Contract.Require("jwks", key.Algorithm is "RS256" && key.Rsa is { Modulus.Length: >= 256 and <= 1024 }
                    || key.Algorithm is "ES256" && key.EllipticCurve is { Q.X.Length: 32, Q.Y.Length: 32 }, $"a {key.Algorithm} key of the wrong shape");
                Contract.Require("jwks", !key.Verifies("e30.e30"u8.ToArray(), new byte[key.Rsa?.Modulus?.Length ?? 64]), "a key verified an all-zero signature");
            }
        },
        IsRejection = e => e is JsonException,
        AllocationBudget = length => 256 * 1024 + 48L * length,
        Seeds = _ => KeySets(),
    };

    public static FuzzTarget Event() => new()
    {
        Name = "token-authorizer-event",
        Promise = "Never throws but EventNotUnderstoodException; a TOKEN event read is allowed on its own API's stage only.",
        Exercise = input =>
        {
            var request = BearerTokenAuthorizer.Read(input);
            var resource = BearerTokenAuthorizer.StageResource(request.MethodArn)!;
            Contract.Require("token-authorizer-event", resource.EndsWith("/*", StringComparison.Ordinal)
                && request.MethodArn!.StartsWith(resource[..^1], StringComparison.Ordinal)
                && resource.Count(c => c == '/') == 2 && !resource[..^2].Contains('*'), $"the policy resource {resource} is not the method's API and stage");
        },
        IsRejection = e => e is EventNotUnderstoodException,
        AllocationBudget = length => 64 * 1024 + 16L * length,
        Seeds = _ =>
        [
            ("token", """{"type":"TOKEN","authorizationToken":"Bearer eyJhbGciOiJSUzI1NiJ9.e30.c2ln","methodArn":"arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5/v1/POST/classify"}"""u8.ToArray()),
            ("cn", """{"type":"TOKEN","authorizationToken":"x","methodArn":"arn:aws-cn:execute-api:cn-north-1:123456789012:abc/prod/GET/"}"""u8.ToArray()),
        ],
    };

    private static IEnumerable<(string, byte[])> Tokens()
    {
        using var rsa = RSA.Create(2048);
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        string Sign(string header, string claims, Func<byte[], byte[]> sign)
        {
            var input = Base64Url.EncodeToString(Encoding.UTF8.GetBytes(header)) + "." + Base64Url.EncodeToString(Encoding.UTF8.GetBytes(claims));
            return input + "." + Base64Url.EncodeToString(sign(Encoding.ASCII.GetBytes(input)));
        }
        const string claims = """{"iss":"https://login.microsoftonline.com/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0/v2.0","aud":["6e1a9c44-2f0b-4d8e-9a57-3c2b1d0e8f71"],"sub":"AAAAAAAAAAAAAAAAAAAAAIkzqFVrSaSaFHy782bbtaQ","exp":1765112345,"nbf":1765108745.5,"roles":["Classify.Invoke"]}""";
        yield return ("rs256", Encoding.ASCII.GetBytes(Sign("""{"alg":"RS256","kid":"k1","typ":"JWT"}""", claims, b => rsa.SignData(b, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1))));
        yield return ("es256", Encoding.ASCII.GetBytes(Sign("""{"alg":"ES256","kid":"k2"}""", claims, b => ec.SignData(b, HashAlgorithmName.SHA256))));
        yield return ("none", Encoding.ASCII.GetBytes(Sign("""{"alg":"none"}""", claims, _ => [])));
    }

    private static IEnumerable<(string, byte[])> KeySets()
    {
        using var rsa = RSA.Create(2048);
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var r = rsa.ExportParameters(false);
        var e = ec.ExportParameters(false);
        yield return ("entra-like", Encoding.UTF8.GetBytes($$"""
            {"keys":[{"kty":"RSA","use":"sig","kid":"k1","x5t":"k1","n":"{{Base64Url.EncodeToString(r.Modulus)}}","e":"{{Base64Url.EncodeToString(r.Exponent)}}","x5c":["MIIC"],"issuer":"https://login.microsoftonline.com/t/v2.0"},
             {"kty":"EC","use":"sig","kid":"k2","crv":"P-256","x":"{{Base64Url.EncodeToString(e.Q.X)}}","y":"{{Base64Url.EncodeToString(e.Q.Y)}}"},
             {"kty":"oct","k":"c2VjcmV0"},{"kty":"RSA","use":"enc","kid":"k3","n":"AQAB","e":"AQAB"}]}
            """));
    }
}
