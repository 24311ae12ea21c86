using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.Json;

namespace XrayClassifier.Function.EventSources.TokenAuthorizer;

/// <summary>One public signing key of an issuer's JWK Set (RFC 7517): an RSA key (RS256) or a P-256 key (ES256).</summary>
internal sealed record SigningKey(string? KeyId, string Algorithm, RSAParameters? Rsa, ECParameters? EllipticCurve)
{
    /// <summary>Whether <paramref name="signature"/> is this key's signature of <paramref name="signingInput"/> (RFC 7518 §3.3,
    /// §3.4: PKCS#1 v1.5 with SHA-256; ECDSA P-256 with SHA-256, the signature R‖S of 32 bytes each).</summary>
    public bool Verifies(byte[] signingInput, byte[] signature)
    {
        try
        {
            return VerifiesWith(signingInput, signature);
        }
        // A key the platform refuses (a point off the curve, an exponent it cannot use) verifies nothing.
        catch (CryptographicException)
        {
            return false;
        }
    }

    private bool VerifiesWith(byte[] signingInput, byte[] signature)
    {
        if (Rsa is { } rsaParameters)
        {
            using var rsa = RSA.Create(rsaParameters);
            return rsa.VerifyData(signingInput, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        }
        using var ec = ECDsa.Create(EllipticCurve!.Value);
        return signature.Length == 64 && ec.VerifyData(signingInput, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
    }
}

/// <summary>
/// Reads an issuer's JWK Set (its discovery document's <c>jwks_uri</c>) into the keys a token may be signed with. Keys of
/// other types or uses (encryption keys, symmetric keys, other curves) are passed over, not errors: issuers publish them
/// beside their signing keys. Bounded (<see cref="MaxBytes"/>, <see cref="MaxKeys"/>, RSA 2048–8192 bits) and fuzzed
/// (tools/XrayClassifier.Fuzz, target jwks).
/// </summary>
internal static class JsonWebKeySet
{
    public const int MaxBytes = 256 * 1024;
    public const int MaxKeys = 64;

    /// <summary>The algorithms the authorizer verifies (RFC 7518 names).</summary>
    public static bool Supports(string algorithm) => algorithm is "RS256" or "ES256";

    /// <summary>The set's usable signing keys; <see cref="JsonException"/> when it is not a JWK Set at all.</summary>
    public static IReadOnlyList<SigningKey> Read(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length > MaxBytes) throw new JsonException($"The key set is over {MaxBytes} bytes.");
        try
        {
            return ReadKeys(utf8);
        }
        // A member name or string that is not UTF-8 (found by the fuzzer, target jwks).
        catch (InvalidOperationException e)
        {
            throw new JsonException("The key set has a string that is not UTF-8.", e);
        }
    }

    private static IReadOnlyList<SigningKey> ReadKeys(ReadOnlySpan<byte> utf8)
    {
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = 8 });
        using var document = JsonDocument.ParseValue(ref reader);
        if (document.RootElement.ValueKind != JsonValueKind.Object
            || !document.RootElement.TryGetProperty("keys", out var keys) || keys.ValueKind != JsonValueKind.Array)
            throw new JsonException("The key set has no \"keys\" array (RFC 7517 §5).");
        var read = new List<SigningKey>();
        foreach (var key in keys.EnumerateArray())
        {
            if (read.Count == MaxKeys) break;
            if (key.ValueKind == JsonValueKind.Object && ReadKey(key) is { } signing) read.Add(signing);
        }
        return read;
    }

    private static SigningKey? ReadKey(JsonElement key)
    {
        string? kty = Text(key, "kty"), use = Text(key, "use"), alg = Text(key, "alg"), kid = Text(key, "kid");
        if (use is not null && use != "sig") return null;
        switch (kty)
        {
            case "RSA" when alg is null or "RS256":
                var n = Bytes(key, "n");
                var e = Bytes(key, "e");
                // Strip the leading zero some encoders keep; 2048 bits is NIST's floor, 8192 bounds the work per token.
                n = n?.AsSpan().TrimStart((byte)0).ToArray();
                if (n is null || e is null || n.Length < 256 || n.Length > 1024 || e.Length is 0 or > 8) return null;
                return new SigningKey(kid, "RS256", new RSAParameters { Modulus = n, Exponent = e }, null);
            case "EC" when alg is null or "ES256":
                var x = Bytes(key, "x");
                var y = Bytes(key, "y");
                if (Text(key, "crv") != "P-256" || x is not { Length: 32 } || y is not { Length: 32 }) return null;
                var parameters = new ECParameters { Curve = ECCurve.NamedCurves.nistP256, Q = new ECPoint { X = x, Y = y } };
                try { parameters.Validate(); } catch (CryptographicException) { return null; }
                return new SigningKey(kid, "ES256", null, parameters);
            default:
                return null;
        }
    }

    private static string? Text(JsonElement key, string name) =>
        key.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static byte[]? Bytes(JsonElement key, string name)
    {
        if (Text(key, name) is not { } text || !Base64Url.IsValid(text, out int length)) return null;
        var bytes = new byte[length];
        return Base64Url.TryDecodeFromChars(text, bytes, out int written) && written == length ? bytes : null;
    }
}
