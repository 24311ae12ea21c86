using System.Text.Json;
using XrayClassifier.Function.Configuration;

namespace XrayClassifier.Function.EventSources.TokenAuthorizer;

/// <summary>
/// The issuer's signing keys, found as OpenID Connect Discovery says (<c>{issuer}/.well-known/openid-configuration</c> →
/// <c>jwks_uri</c>, §4) and kept in the process: read again after <see cref="FreshFor"/>, or at once for a <c>kid</c> the set
/// lacks (the issuer rotated its keys) but not more often than <see cref="RefetchNoSoonerThan"/> (tokens with made-up
/// <c>kid</c>s must not turn into a stream of fetches). When the issuer cannot be reached the keys already read stay in use
/// up to <see cref="UsableFor"/>; without any, <see cref="IssuerUnavailableException"/>.
/// </summary>
internal sealed class IssuerKeys(OidcIssuerSettings issuer, HttpClient http, TimeProvider clock)
{
    public static readonly TimeSpan FreshFor = TimeSpan.FromHours(1);
    public static readonly TimeSpan UsableFor = TimeSpan.FromHours(24);
    public static readonly TimeSpan RefetchNoSoonerThan = TimeSpan.FromSeconds(30);
    /// <summary>Largest discovery document or key set read (Entra ID's are a few KB).</summary>
    private const int MaxDocumentBytes = JsonWebKeySet.MaxBytes;

    private readonly SemaphoreSlim _fetching = new(1, 1);
    private IReadOnlyList<SigningKey>? _keys;
    private DateTimeOffset _readAt, _triedAt = DateTimeOffset.MinValue;

    /// <summary>How many times the key set was fetched (tests: one refetch on rotation, none for a known kid).</summary>
    public int Fetches { get; private set; }

    /// <summary>The key with the token's <c>kid</c> and algorithm (a token without <c>kid</c>: the only key of that algorithm),
    /// or null when the issuer has none even after reading its set again.</summary>
    public async Task<SigningKey?> FindAsync(string algorithm, string? keyId, CancellationToken cancel)
    {
        var now = clock.GetUtcNow();
        if (_keys is null || now - _readAt >= FreshFor) await RefreshAsync(now, cancel).ConfigureAwait(false);
        // A request that waited on another's failed first fetch.
        if (_keys is null) throw new IssuerUnavailableException($"The issuer {issuer.IssuerText}'s keys could not be read (the invocation before this one says why).");
        if (Find(_keys!, algorithm, keyId) is { } key) return key;
        if (clock.GetUtcNow() - _triedAt < RefetchNoSoonerThan) return null;
        await RefreshAsync(clock.GetUtcNow(), cancel).ConfigureAwait(false);
        return Find(_keys!, algorithm, keyId);
    }

    private static SigningKey? Find(IReadOnlyList<SigningKey> keys, string algorithm, string? keyId)
    {
        if (keyId is not null) return keys.FirstOrDefault(k => k.KeyId == keyId && k.Algorithm == algorithm);
        var candidates = keys.Where(k => k.Algorithm == algorithm).Take(2).ToList();
        return candidates.Count == 1 ? candidates[0] : null;
    }

    private async Task RefreshAsync(DateTimeOffset now, CancellationToken cancel)
    {
        await _fetching.WaitAsync(cancel).ConfigureAwait(false);
        try
        {
            // Another request fetched while this one waited.
            if (_triedAt > now) return;
            _triedAt = clock.GetUtcNow();
            try
            {
                var keys = await FetchAsync(cancel).ConfigureAwait(false);
                (_keys, _readAt) = (keys, clock.GetUtcNow());
            }
            catch (IssuerUnavailableException) when (_keys is not null && clock.GetUtcNow() - _readAt < UsableFor)
            {
                // Keep the keys read before: the issuer's outage must not lock everyone out at once. The invocation logs nothing
                // here; a rotation missed meanwhile shows as unknown-key refusals.
            }
        }
        finally
        {
            _fetching.Release();
        }
    }

    private async Task<IReadOnlyList<SigningKey>> FetchAsync(CancellationToken cancel)
    {
        // OIDC Discovery §4: the issuer with any trailing '/' removed, then the well-known path.
        var discovery = new Uri(issuer.IssuerText.TrimEnd('/') + "/.well-known/openid-configuration", UriKind.Absolute);
        string? jwksUri, discoveredIssuer;
        using (var document = await GetJsonAsync(discovery, "discovery document", cancel).ConfigureAwait(false))
        {
            discoveredIssuer = Member(document.RootElement, "issuer");
            jwksUri = Member(document.RootElement, "jwks_uri");
        }
        // §4.3: the issuer in the document must be exactly the one it was fetched for, or its keys are another issuer's.
        if (discoveredIssuer != issuer.IssuerText)
            throw new IssuerUnavailableException($"The discovery document at {discovery} names issuer '{Shorten(discoveredIssuer)}', not {issuer.IssuerText}: check XRAY_OIDC_ISSUER (OidcIssuerUrl) character for character.");
        if (!Uri.TryCreate(jwksUri, UriKind.Absolute, out var keysAt) || !IdentityEndpoint.IsTrusted(keysAt))
            throw new IssuerUnavailableException($"The discovery document at {discovery} has no https jwks_uri.");
        Fetches++;
        var bytes = await GetBytesAsync(keysAt, "key set", cancel).ConfigureAwait(false);
        try
        {
            return JsonWebKeySet.Read(bytes);
        }
        catch (JsonException e)
        {
            throw new IssuerUnavailableException($"The key set at {keysAt} is not a JWK Set ({e.Message}).", e);
        }
    }

    private async Task<JsonDocument> GetJsonAsync(Uri uri, string what, CancellationToken cancel)
    {
        var bytes = await GetBytesAsync(uri, what, cancel).ConfigureAwait(false);
        try
        {
            return JsonDocument.Parse(bytes, new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException e)
        {
            throw new IssuerUnavailableException($"The {what} at {uri} is not JSON ({e.Message}).", e);
        }
    }

    /// <summary>A string member of the discovery document, or null (absent, not a string, not UTF-8).</summary>
    private static string? Member(JsonElement root, string name)
    {
        try
        {
            return root.ValueKind == JsonValueKind.Object && root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    private async Task<byte[]> GetBytesAsync(Uri uri, string what, CancellationToken cancel)
    {
        try
        {
            using var response = await http.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, cancel).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
                throw new IssuerUnavailableException($"The issuer's {what} at {uri} answered {(int)response.StatusCode}.");
            await using var body = await response.Content.ReadAsStreamAsync(cancel).ConfigureAwait(false);
            var buffer = new MemoryStream();
            var chunk = new byte[16 * 1024];
            int n;
            while ((n = await body.ReadAsync(chunk, cancel).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + n > MaxDocumentBytes) throw new IssuerUnavailableException($"The issuer's {what} at {uri} is over {MaxDocumentBytes} bytes.");
                buffer.Write(chunk, 0, n);
            }
            return buffer.ToArray();
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
        {
            throw new IssuerUnavailableException($"The issuer's {what} at {uri} could not be read ({e.GetType().Name}: {e.Message}): the authorizer needs HTTPS to the issuer (a NAT gateway or the internet; it runs outside the VPC).", e);
        }
    }

    private static string Shorten(string? text) => text is null ? "(none)" : text.Length <= 200 ? text : text[..200] + "…";
}
