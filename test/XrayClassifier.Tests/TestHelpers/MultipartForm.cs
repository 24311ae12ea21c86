using System.Text;

namespace XrayClassifier.Tests.TestHelpers;

/// <summary>multipart/form-data bodies as curl -F writes them (CRLF line breaks, the closing delimiter last).</summary>
public static class MultipartForm
{
    public static byte[] Encode(string boundary, params (string Field, string? FileName, string? ContentType, byte[] Content)[] parts)
    {
        using var ms = new MemoryStream();
        void Write(string s) => ms.Write(Encoding.UTF8.GetBytes(s));
        foreach (var (field, fileName, contentType, content) in parts)
        {
            Write($"--{boundary}\r\n");
            Write($"Content-Disposition: form-data; name=\"{field}\"" + (fileName is null ? "" : $"; filename=\"{fileName}\"") + "\r\n");
            if (contentType is not null) Write($"Content-Type: {contentType}\r\n");
            Write("\r\n");
            ms.Write(content);
            Write("\r\n");
        }
        Write($"--{boundary}--\r\n");
        return ms.ToArray();
    }
}
