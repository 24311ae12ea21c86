using System.Text.Json.Nodes;

namespace XrayClassifier.Tests.Quantization;

/// <summary>A model whose manifest says it is int8 (the "quantization" section `quantize` writes) is named so in /health
/// and in every answer representation, and a malformed section is a 503 naming the field.</summary>
public sealed class Int8AnswerTests
{
    private static JsonObject Int8Manifest(string sha = "7522d824c1b5a36339c8f3f5914ac1457791d9dd8647d0c5ad6917c7c84fe647")
    {
        var manifest = TestEfs.SmallManifest;
        manifest["quantization"] = new JsonObject
        {
            ["precision"] = "int8", ["sourceSha256"] = sha, ["calibrationImages"] = 12,
            ["agreement"] = "int8 against fp32 on 4 held-out image(s): max |Δp| 0.0139",
        };
        return manifest;
    }

    [Fact]
    public async Task HealthAndEveryAnswerNameTheModelInt8()
    {
        using var efs = TestEfs.WithModel(TestEfs.SmallModel, Int8Manifest());
        using var function = efs.CreateFunction();

        var health = await ProxyAnswer.ReadAsync(function.FunctionHandler(ProxyEventBuilder.Get("/health").ToStream()));
        Assert.True(health.Status == 200, health.Body);
        Assert.Equal("pooled-linear-test (int8)", health.Json.GetProperty("model").GetProperty("name").GetString());

        var json = await ProxyAnswer.ReadAsync(function.FunctionHandler(ProxyEventBuilder.Post().BinaryBody(TestImages.Xray, "image/png").ToStream()));
        Assert.True(json.Status == 200, json.Body);
        Assert.Equal("pooled-linear-test (int8)", json.Json.GetProperty("model").GetProperty("name").GetString());

        var fhir = await ProxyAnswer.ReadAsync(function.FunctionHandler(
            ProxyEventBuilder.Post().Header("Accept", "application/fhir+json").BinaryBody(TestImages.Xray, "image/png").ToStream()));
        Assert.True(fhir.Status == 200, fhir.Body);
        Assert.Contains("pooled-linear-test (int8)", fhir.Body);
        FhirR4.ParseValid(fhir.Body);
    }

    [Fact]
    public async Task AMalformedQuantizationSectionIsRefusedNamingTheField()
    {
        using var efs = TestEfs.WithModel(TestEfs.SmallModel, Int8Manifest(sha: "not-a-hash"));
        using var function = efs.CreateFunction();

        var health = await ProxyAnswer.ReadAsync(function.FunctionHandler(ProxyEventBuilder.Get("/health").ToStream()));

        Assert.Equal(503, health.Status);
        Assert.Contains(health.Json.GetProperty("problems").EnumerateArray(),
            p => p.GetProperty("detail").GetString()!.Contains("quantization.sourceSha256 is \"not-a-hash\"; expected 64 hex digits"));
    }
}
