using System.Net.Sockets;
using System.Text;

namespace XrayClassifier.Tests.Local;

/// <summary>Sends a hand-written HTTP/1.1 request, for what HttpClient will not send (the same header on
/// several lines). Returns the status code and the body.</summary>
internal static class RawHttp
{
    public static async Task<(int Status, byte[] Body)> SendAsync(Uri baseAddress, string requestHead, byte[]? body = null)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(baseAddress.Host, baseAddress.Port);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(requestHead.ReplaceLineEndings("\r\n") + "\r\n"));
        if (body is not null) await stream.WriteAsync(body);

        using var received = new MemoryStream();
        await stream.CopyToAsync(received); // the request says Connection: close
        var all = received.ToArray();
        int split = all.AsSpan().IndexOf("\r\n\r\n"u8);
        var head = Encoding.ASCII.GetString(all, 0, split);
        int status = int.Parse(head.Split(' ')[1]);
        return (status, all[(split + 4)..]);
    }
}
