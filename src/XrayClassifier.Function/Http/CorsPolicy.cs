namespace XrayClassifier.Function.Http;

/// <summary>
/// CORS for a proxy integration, where API Gateway adds nothing and every answer — errors included —
/// must carry the headers itself, or a browser hides the answer from the page.
/// <c>XRAY_CORS_ORIGIN</c> is "*", one origin, or a comma-separated list (the request's Origin is echoed
/// when it is on the list).
/// </summary>
public sealed class CorsPolicy
{
    private const string DefaultAllowedHeaders = "Content-Type, Authorization, X-Api-Key, X-Amz-Date, X-Amz-Security-Token, X-Request-Id";
    private readonly string[] _origins;
    private readonly bool _any;

    public CorsPolicy(string configured)
    {
        _origins = configured.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (_origins.Length == 0) _origins = ["*"];
        _any = Array.IndexOf(_origins, "*") >= 0;
    }

    /// <summary>Headers every answer carries.</summary>
    public void Apply(IDictionary<string, string> headers, string? requestOrigin)
    {
        string origin = _any ? "*" : Pick(requestOrigin);
        headers["Access-Control-Allow-Origin"] = origin;
        headers["Access-Control-Expose-Headers"] = "X-Request-Id, Server-Timing";
        // Server-Timing is hidden from cross-origin pages unless Timing-Allow-Origin admits them.
        headers["Timing-Allow-Origin"] = origin;
        if (!_any) headers["Vary"] = "Origin";
    }

    /// <summary>The extra headers of a preflight (OPTIONS) answer.</summary>
    public void ApplyPreflight(IDictionary<string, string> headers, string allowedMethods, string? requestedHeaders)
    {
        headers["Access-Control-Allow-Methods"] = allowedMethods;
        headers["Access-Control-Allow-Headers"] = IsHeaderList(requestedHeaders) ? requestedHeaders! : DefaultAllowedHeaders;
        headers["Access-Control-Max-Age"] = "600";
    }

    private string Pick(string? requestOrigin)
    {
        if (requestOrigin is not null)
        {
            foreach (var o in _origins)
            {
                if (string.Equals(o, requestOrigin, StringComparison.OrdinalIgnoreCase)) return requestOrigin;
            }
        }
        return _origins[0];
    }

    /// <summary>Echo Access-Control-Request-Headers only when it is a plain list of header names.</summary>
    private static bool IsHeaderList(string? value)
    {
        if (string.IsNullOrWhiteSpace(value) || value.Length > 1000) return false;
        foreach (char c in value)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or ',' or ' ')) return false;
        }
        return true;
    }
}
