using System.Buffers.Text;
using System.Text;
using System.Text.Json;

namespace XrayClassifier.Function.EventSources.TokenAuthorizer;

/// <summary>
/// A JWT in JWS compact serialisation (RFC 7515 §7.1, RFC 7519), read but not yet trusted: its header's <c>alg</c> and
/// <c>kid</c>, the claims the authorizer checks, the signing input and the signature. The token authorizer's one token
/// reader; bounded (<see cref="MaxLength"/>, JSON depth 8) and fuzzed (tools/XrayClassifier.Fuzz, target jwt).
/// </summary>
internal sealed record JsonWebToken(string Algorithm, string? KeyId, byte[] SigningInput, byte[] Signature,
    string? Issuer, string? Subject, IReadOnlyList<string> Audiences, double? ExpiresAt, double? NotBefore, IReadOnlyList<string> Roles)
{
    /// <summary>Longest token read: API Gateway takes at most 10 KB of headers; Entra ID's tokens are 1–3 KB.</summary>
    public const int MaxLength = 10 * 1024;
    /// <summary>Longest <c>sub</c>/<c>iss</c> accepted: they become the principal and the log line's values.</summary>
    public const int MaxClaimLength = 256;

    /// <summary>The token of an <c>Authorization</c> header value: <c>Bearer &lt;token&gt;</c> (RFC 6750 §2.1, the scheme
    /// case-insensitive), or refused as <see cref="TokenRefusal.Malformed"/>.</summary>
    public static JsonWebToken FromAuthorization(string? header)
    {
        const string scheme = "Bearer ";
        if (header is null || header.Length <= scheme.Length || !header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
            throw new UnauthorizedException(TokenRefusal.Malformed);
        return Read(header.AsSpan(scheme.Length).Trim(' '));
    }

    /// <summary>The token's parts, or <see cref="UnauthorizedException"/> with the reason it cannot be one.</summary>
    public static JsonWebToken Read(ReadOnlySpan<char> compact)
    {
        if (compact.Length == 0 || compact.Length > MaxLength) throw Refused(TokenRefusal.Malformed);
        int first = compact.IndexOf('.');
        int second = first < 0 ? -1 : compact[(first + 1)..].IndexOf('.') + first + 1;
        if (first <= 0 || second <= first + 1 || compact[(second + 1)..].Contains('.')) throw Refused(TokenRefusal.Malformed);
        var header = Decode(compact[..first]);
        var payload = Decode(compact[(first + 1)..second]);
        var signature = Decode(compact[(second + 1)..]);
        try
        {
            return Read(header, payload, signature, Encoding.ASCII.GetBytes(compact[..second].ToArray()));
        }
        // A member name or string that is not UTF-8 (found by the fuzzer, target jwt): System.Text.Json throws this on reading it.
        catch (InvalidOperationException)
        {
            throw Refused(TokenRefusal.Malformed);
        }
    }

    private static JsonWebToken Read(byte[] header, byte[] payload, byte[] signature, byte[] signingInput)
    {

        string? algorithm = null, keyId = null;
        using (var h = Parse(header))
        {
            foreach (var member in h.RootElement.EnumerateObject())
            {
                switch (member.Name)
                {
                    case "alg": algorithm = member.Value.ValueKind == JsonValueKind.String ? member.Value.GetString() : throw Refused(TokenRefusal.Malformed); break;
                    case "kid": keyId = member.Value.ValueKind == JsonValueKind.String ? member.Value.GetString() : throw Refused(TokenRefusal.Malformed); break;
                    // RFC 7515 §4.1.11: a recipient that does not understand every listed extension must refuse the token.
                    case "crit": throw Refused(TokenRefusal.UnsupportedAlgorithm);
                }
            }
        }
        if (algorithm is null) throw Refused(TokenRefusal.Malformed);
        // Only asymmetric algorithms the issuer's published keys verify: "none" has no signature, and HS256 would take the
        // public key as a shared secret (the classic confusion).
        if (!JsonWebKeySet.Supports(algorithm)) throw Refused(TokenRefusal.UnsupportedAlgorithm);

        string? issuer = null, subject = null;
        var audiences = new List<string>();
        var roles = new List<string>();
        double? expiresAt = null, notBefore = null;
        using (var p = Parse(payload))
        {
            foreach (var claim in p.RootElement.EnumerateObject())
            {
                switch (claim.Name)
                {
                    case "iss": issuer = Text(claim.Value); break;
                    case "sub": subject = Text(claim.Value); break;
                    case "exp": expiresAt = NumericDate(claim.Value); break;
                    case "nbf": notBefore = NumericDate(claim.Value); break;
                    // Entra ID: app roles granted to the caller (an array); delegated scopes (one space-separated string).
                    case "roles" when claim.Value.ValueKind == JsonValueKind.Array && claim.Value.GetArrayLength() <= 256:
                        foreach (var r in claim.Value.EnumerateArray()) if (r.ValueKind == JsonValueKind.String) roles.Add(r.GetString()!);
                        break;
                    case "scp" when claim.Value.ValueKind == JsonValueKind.String:
                        roles.AddRange(claim.Value.GetString()!.Split(' ', StringSplitOptions.RemoveEmptyEntries));
                        break;
                    case "aud":
                        // RFC 7519 §4.1.3: one string or an array of strings.
                        if (claim.Value.ValueKind == JsonValueKind.String) audiences.Add(claim.Value.GetString()!);
                        else if (claim.Value.ValueKind == JsonValueKind.Array && claim.Value.GetArrayLength() <= 64)
                            foreach (var a in claim.Value.EnumerateArray()) audiences.Add(a.ValueKind == JsonValueKind.String ? a.GetString()! : throw Refused(TokenRefusal.Malformed));
                        else throw Refused(TokenRefusal.Malformed);
                        break;
                }
            }
        }
        return new JsonWebToken(algorithm, keyId, signingInput, signature, issuer, subject, audiences, expiresAt, notBefore, roles);
    }

    private static byte[] Decode(ReadOnlySpan<char> segment)
    {
        // base64url without padding (RFC 7515 §2); anything else, padding included, is not this serialisation.
        if (!Base64Url.IsValid(segment, out int length) || segment.Contains('=')) throw Refused(TokenRefusal.Malformed);
        var bytes = new byte[length];
        return Base64Url.TryDecodeFromChars(segment, bytes, out int written) && written == length ? bytes : throw Refused(TokenRefusal.Malformed);
    }

    private static JsonDocument Parse(byte[] utf8)
    {
        try
        {
            var document = JsonDocument.Parse(utf8, new JsonDocumentOptions { MaxDepth = 8, AllowDuplicateProperties = false });
            if (document.RootElement.ValueKind == JsonValueKind.Object) return document;
            document.Dispose();
        }
        // A repeated member ("iss" twice) is refused, not read as its first or last (RFC 7519 §4 allows either; RFC 7515 §4 refusing).
        catch (JsonException) { }
        throw Refused(TokenRefusal.Malformed);
    }

    private static string Text(JsonElement value) =>
        value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 and <= MaxClaimLength } s ? s : throw Refused(TokenRefusal.Malformed);

    /// <summary>RFC 7519 §2: seconds since the epoch, a JSON number, possibly with a fraction.</summary>
    private static double NumericDate(JsonElement value) =>
        value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out double d) && double.IsFinite(d) ? d : throw Refused(TokenRefusal.Malformed);

    private static UnauthorizedException Refused(TokenRefusal reason) => new(reason);
}
