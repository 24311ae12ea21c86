using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using XrayClassifier.Tests.TestHelpers;

namespace XrayClassifier.Tests.Orthanc;

/// <summary>The Orthanc configuration the README shows a hospital is the one the round-trip tests run.</summary>
public sealed partial class ReadmeOrthancConfigurationTests
{
    [Fact]
    public void TheReadmesOrthancServerEntryIsTheOneTheTestsUse()
    {
        string readme = File.ReadAllText(Path.Combine(TestEnvironment.RepoRoot, "README.md"));
        var block = OrthancBlock().Match(readme);
        Assert.True(block.Success, "README.md has no Orthanc configuration block after 'Orthanc pushing to the function'");
        var shown = JsonNode.Parse(block.Groups[1].Value)!;

        var server = shown["DicomWeb"]!["Servers"]!["xray-classifier"]!.AsObject();
        string url = (string)server["Url"]!, key = (string)server["HttpHeaders"]!["x-api-key"]!;
        Assert.True(JsonNode.DeepEquals(new DicomWebServer(new Uri(url), key).ToJson(), server), server.ToJsonString());
        Assert.EndsWith("/v1/", url, StringComparison.Ordinal);
        Assert.Equal(OrthancServer.Plugin, (string)shown["Plugins"]![0]!);
        Assert.True((bool)shown["DicomWeb"]!["Enable"]!);
        Assert.Equal("/dicom-web/", (string)shown["DicomWeb"]!["Root"]!);
    }

    [GeneratedRegex("Orthanc pushing to the function.*?```json\\n(.*?)\\n```", RegexOptions.Singleline)]
    private static partial Regex OrthancBlock();
}
