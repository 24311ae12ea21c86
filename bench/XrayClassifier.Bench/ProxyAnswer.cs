using System.Text.Json;

namespace XrayClassifier.Bench;

/// <summary>Reads the status code and top label out of a proxy response, to check every timed request succeeded.</summary>
public static class ProxyAnswer
{
    public static (int Status, string? Label) Read(Stream response)
    {
        using var doc = JsonDocument.Parse(response);
        int status = doc.RootElement.GetProperty("statusCode").GetInt32();
        string? label = null;
        if (status == 200 && doc.RootElement.GetProperty("body").GetString() is string body)
        {
            using var answer = JsonDocument.Parse(body);
            label = answer.RootElement.GetProperty("label").GetString();
        }
        return (status, label);
    }
}
