using System.Net;
using System.Net.Http.Headers;
using XrayClassifier.Function.Uploads;

namespace XrayClassifier.Tests.S3;

/// <summary>Sends an issued upload form the way a browser's FormData does: a plain HTTP POST of
/// multipart/form-data, every field as a bare part, the file last — no SDK, no signing.</summary>
internal static class BrowserUpload
{
    private static readonly HttpClient s_http = new() { Timeout = TimeSpan.FromMinutes(2) };

    public static async Task<(HttpStatusCode Status, string Body)> PostAsync(UploadTicket ticket, byte[] file, string fileName = "study.png")
    {
        using var form = new MultipartFormDataContent();
        foreach (var (name, value) in ticket.Fields)
        {
            var field = new StringContent(value);
            field.Headers.ContentType = null;
            form.Add(field, name);
        }
        var content = new ByteArrayContent(file);
        content.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        form.Add(content, ticket.FileField, fileName);
        using var response = await s_http.PostAsync(ticket.Url, form);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}
