using System.Text.RegularExpressions;
using XrayClassifier.Function.Http.Endpoints;
using XrayClassifier.Function.Imaging;

namespace XrayClassifier.Tests.Http;

/// <summary>The page's accepted formats — the file picker's accept list, its label and the script's extension →
/// media type map — are the format table's, filled in when the page is loaded, not a hand copy.</summary>
public sealed partial class PageFormatsTests
{
    [Fact]
    public void ThePickerAcceptsExactlyTheTablesMediaTypesAndFileExtensions()
    {
        var accept = AcceptAttribute().Match(PageEndpoint.Html);
        Assert.True(accept.Success, "the page has no file input with an accept list");
        var expected = ImageFormat.All.Select(f => f.MediaType).Concat(ImageFormat.All.SelectMany(f => f.FileExtensions));
        Assert.Equal(expected, accept.Groups[1].Value.Split(','));
        Assert.Equal(
            ["image/png", "image/jpeg", "image/tiff", "image/webp", "application/dicom", ".png", ".jpg", ".jpeg", ".tif", ".tiff", ".webp", ".dcm", ".dicom"],
            accept.Groups[1].Value.Split(','));
    }

    [Fact]
    public void TheLabelNamesTheTablesFormatsAndTheScriptMapsEachExtensionToItsFormat()
    {
        string html = PageEndpoint.Html;
        Assert.Contains($"Choose a chest X-ray ({ImageFormat.AcceptedNames})</label>", html);
        Assert.Contains("(PNG, JPEG, TIFF, WebP or DICOM)", html);
        foreach (var format in ImageFormat.All)
            foreach (var extension in format.FileExtensions)
                Assert.Contains($"'{extension}': '{format.MediaType}'", PageEndpoint.Inline(html, "script"));
        Assert.DoesNotContain("{{", html);
    }

    [Fact]
    public void AnUnfilledPlaceholderIsRefused()
    {
        Assert.Throws<InvalidOperationException>(() => PageEndpoint.WithAcceptedFormats("<p>{{accepted-sizes}}</p>"));
    }

    [GeneratedRegex("<input type=\"file\" id=\"file\" accept=\"([^\"]*)\">")]
    private static partial Regex AcceptAttribute();
}
