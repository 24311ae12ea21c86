using System.Text.Json;

namespace XrayClassifier.Bench;

/// <summary>Reads the status code and top label out of a proxy response, to check every timed request succeeded.</summary>
public static class ProxyAnswer
{
    /// <summary>Throws, with the problem's body, unless the answer is a 200: a benchmark of failing requests measures nothing.</summary>
    public static (int Status, string? Label) Read(Stream response)
    {
        using var doc = JsonDocument.Parse(response);
        int status = doc.RootElement.GetProperty("statusCode").GetInt32();
        string body = doc.RootElement.GetProperty("body").GetString() ?? "";
        if (status != 200) throw new InvalidOperationException($"the handler answered {status}: {body}");
        using var answer = JsonDocument.Parse(body);
        return (status, answer.RootElement.GetProperty("label").GetString());
    }
}
