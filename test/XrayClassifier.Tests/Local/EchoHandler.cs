using System.Text;
using System.Text.Json;
using XrayClassifier.Local.ApiGateway;

namespace XrayClassifier.Tests.Local;

/// <summary>A handler that answers 200 with the event it received (base64, so it comes back byte for
/// byte), and counts its invocations — lets tests see exactly what the emulator sent.</summary>
internal sealed class EchoHandler
{
    private int _calls;

    public int Calls => Volatile.Read(ref _calls);

    public LambdaHandler Handler => async input =>
    {
        Interlocked.Increment(ref _calls);
        using var copy = new MemoryStream();
        await input.CopyToAsync(copy);
        var response = new Dictionary<string, object>
        {
            ["statusCode"] = 200,
            ["headers"] = new Dictionary<string, string> { ["Content-Type"] = "application/json" },
            ["body"] = Convert.ToBase64String(copy.ToArray()),
            ["isBase64Encoded"] = true,
        };
        return new MemoryStream(JsonSerializer.SerializeToUtf8Bytes(response));
    };

    /// <summary>A handler answering the given JSON text, whatever the event.</summary>
    public static LambdaHandler Answering(string json) =>
        _ => Task.FromResult<Stream>(new MemoryStream(Encoding.UTF8.GetBytes(json)));
}
