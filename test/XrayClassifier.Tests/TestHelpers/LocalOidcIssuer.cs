using System.Buffers.Text;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace XrayClassifier.Tests.TestHelpers;

/// <summary>
/// An OpenID Connect issuer on 127.0.0.1 (an ephemeral port), shaped as Entra ID's v2.0 endpoint: its discovery document at
/// <c>{issuer}/.well-known/openid-configuration</c> and its JWK Set at <c>jwks_uri</c>, over real HTTP/1.1. Its keys are
/// generated here; tests rotate them, take the key set down, and count the fetches.
/// </summary>
public sealed class LocalOidcIssuer : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _serving;
    private volatile JsonArray _keys = [];
    private int _keySetRequests;

    public LocalOidcIssuer(string tenant = "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0")
    {
        _listener.Start();
        Issuer = $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/{tenant}/v2.0";
        _serving = Task.Run(ServeAsync);
    }

    /// <summary>The issuer identifier, as tokens' <c>iss</c> and the discovery document's <c>issuer</c> carry it.</summary>
    public string Issuer { get; }
    /// <summary>What the discovery document says the issuer is (a test makes it differ).</summary>
    public string? AnnouncedIssuer { get; set; }
    /// <summary>The key set's HTTP status: 200, or e.g. 503 for an issuer whose keys are down.</summary>
    public int KeySetStatus { get; set; } = 200;
    public int KeySetRequests => Volatile.Read(ref _keySetRequests);

    /// <summary>Publishes exactly these keys (the rotation replaces the set).</summary>
    public void Publish(params JsonObject[] keys) => _keys = new JsonArray(keys.Select(k => (JsonNode)k.DeepClone()).ToArray());

    public static JsonObject Jwk(RSA rsa, string kid)
    {
        var p = rsa.ExportParameters(false);
        return new JsonObject { ["kty"] = "RSA", ["use"] = "sig", ["kid"] = kid, ["n"] = Base64Url.EncodeToString(p.Modulus), ["e"] = Base64Url.EncodeToString(p.Exponent), ["alg"] = "RS256" };
    }

    public static JsonObject Jwk(ECDsa ec, string kid)
    {
        var p = ec.ExportParameters(false);
        return new JsonObject { ["kty"] = "EC", ["use"] = "sig", ["kid"] = kid, ["crv"] = "P-256", ["x"] = Base64Url.EncodeToString(p.Q.X), ["y"] = Base64Url.EncodeToString(p.Q.Y) };
    }

    private async Task ServeAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await _listener.AcceptTcpClientAsync(_stop.Token); }
            catch (Exception) when (_stop.IsCancellationRequested) { return; }
            _ = Task.Run(() => AnswerAsync(client));
        }
    }

    private async Task AnswerAsync(TcpClient client)
    {
        using (client)
        {
            var stream = client.GetStream();
            var head = new StringBuilder();
            var buffer = new byte[4096];
            while (!head.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
            {
                int n = await stream.ReadAsync(buffer);
                if (n == 0) return;
                head.Append(Encoding.ASCII.GetString(buffer, 0, n));
            }
            var path = head.ToString().Split(' ')[1];
            var issuerPath = new Uri(Issuer).AbsolutePath;
            (int status, string body) = path switch
            {
                _ when path == issuerPath + "/.well-known/openid-configuration" => (200, new JsonObject
                {
                    ["issuer"] = AnnouncedIssuer ?? Issuer,
                    ["jwks_uri"] = Issuer.Replace("/v2.0", "/discovery/v2.0/keys", StringComparison.Ordinal),
                    ["id_token_signing_alg_values_supported"] = new JsonArray("RS256"),
                }.ToJsonString()),
                _ when path == issuerPath.Replace("/v2.0", "/discovery/v2.0/keys", StringComparison.Ordinal) => KeySet(),
                _ => (404, "{}"),
            };
            var bytes = Encoding.UTF8.GetBytes(body);
            var response = $"HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {bytes.Length}\r\nConnection: close\r\n\r\n";
            await stream.WriteAsync(Encoding.ASCII.GetBytes(response));
            await stream.WriteAsync(bytes);
        }
    }

    private (int, string) KeySet()
    {
        Interlocked.Increment(ref _keySetRequests);
        return KeySetStatus == 200 ? (200, new JsonObject { ["keys"] = _keys.DeepClone() }.ToJsonString()) : (KeySetStatus, "{\"error\":\"unavailable\"}");
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        try { _serving.Wait(TimeSpan.FromSeconds(5)); } catch (AggregateException) { }
        _stop.Dispose();
    }
}
