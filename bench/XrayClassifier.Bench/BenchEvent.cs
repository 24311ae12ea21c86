using System.Text;
using XrayClassifier.Function.ApiGateway;
using XrayClassifier.Local.ApiGateway;

namespace XrayClassifier.Bench;

/// <summary>
/// An upload event built by the local emulator's <see cref="ProxyIntegration"/> exactly as API Gateway
/// sends it with binaryMediaTypes */*. The requestId is rewritten in place by <see cref="SetRequestNumber"/>,
/// so every timed request is a distinct upload (as in production) without rebuilding a multi-megabyte
/// event inside the timed loop.
/// </summary>
public sealed class BenchEvent
{
    private const int IdLength = 36;   // a UUID, as API Gateway's requestIds are
    private readonly int _idOffset;

    public BenchEvent(byte[] image, string contentType, string? queryName = null, string? queryValue = null)
    {
        var ev = new ProxyIntegration(new RestApiSettings()).ForUpload("/classify", image, contentType);
        if (queryName is not null)
        {
            // As API Gateway sets both for ?name=value.
            ev.QueryStringParameters = new() { [queryName] = queryValue };
            ev.MultiValueQueryStringParameters = new() { [queryName] = [queryValue] };
        }
        ev.RequestContext!.RequestId = Id(0);
        Bytes = ProxyEventBuilder.ToUtf8(ev);
        _idOffset = Bytes.AsSpan().IndexOf(Encoding.ASCII.GetBytes(Id(0)));
        if (_idOffset < 0) throw new InvalidOperationException("the requestId is not in the event JSON");
    }

    public byte[] Bytes { get; }

    public void SetRequestNumber(int n) => Encoding.ASCII.GetBytes(Id(n), Bytes.AsSpan(_idOffset, IdLength));

    private static string Id(int n) => $"00000000-0000-4000-8000-{n:D12}";
}
