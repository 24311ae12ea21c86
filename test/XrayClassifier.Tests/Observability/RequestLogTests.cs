using System.Text.Json;
using XrayClassifier.Function.Observability;

namespace XrayClassifier.Tests.Observability;

public class RequestLogTests
{
    /// <summary>CloudWatch extracts a metric only when the document declares it and carries a number under its name.</summary>
    internal static void AssertValidEmf(JsonElement line)
    {
        var aws = line.GetProperty("_aws");
        Assert.Equal(JsonValueKind.Number, aws.GetProperty("Timestamp").ValueKind);
        var directive = Assert.Single(aws.GetProperty("CloudWatchMetrics").EnumerateArray());
        Assert.Equal(RequestLog.MetricNamespace, directive.GetProperty("Namespace").GetString());
        foreach (var set in directive.GetProperty("Dimensions").EnumerateArray())
            foreach (var dimension in set.EnumerateArray())
                Assert.Equal(JsonValueKind.String, line.GetProperty(dimension.GetString()!).ValueKind);
        var names = new HashSet<string>();
        foreach (var metric in directive.GetProperty("Metrics").EnumerateArray())
        {
            var name = metric.GetProperty("Name").GetString()!;
            Assert.True(names.Add(name), $"metric {name} declared twice");
            Assert.Contains(metric.GetProperty("Unit").GetString(), new[] { "Milliseconds", "Count", "Bytes" });
            Assert.Equal(JsonValueKind.Number, line.GetProperty(name).ValueKind);
        }
    }

    [Fact]
    public void WritesOneEmfDocumentPerRequest()
    {
        var sink = new MemoryLogSink();
        var clock = new ManualClock();
        new RequestLog(sink, "xray-prod", clock).Request(new RequestLogEntry
        {
            RequestId = "r-1", Route = "classify", Method = "POST", Status = 200, BodyBytes = 1000, ImageBytes = 750,
            UploadForm = "raw", Format = "png", Width = 1024, Height = 1024, DecodeMs = 6.123, InferenceMs = 16.8, TotalMs = 25.04,
            ModelName = "chexnet-densenet121", ModelVersion = "1", ColdStart = true, InitMs = 412.5, Stored = true,
        });

        var line = JsonDocument.Parse(Assert.Single(sink.Lines)).RootElement;
        AssertValidEmf(line);
        Assert.Equal(clock.GetUtcNow().ToUnixTimeMilliseconds(), line.GetProperty("_aws").GetProperty("Timestamp").GetInt64());
        Assert.Equal("xray-prod", line.GetProperty("FunctionName").GetString());
        Assert.Equal("classify", line.GetProperty("Route").GetString());
        Assert.Equal(25.04, line.GetProperty("Latency").GetDouble());
        Assert.Equal(6.12, line.GetProperty("Decode").GetDouble());
        Assert.Equal(16.8, line.GetProperty("Inference").GetDouble());
        Assert.Equal(1, line.GetProperty("ColdStart").GetInt32());
        Assert.Equal(412.5, line.GetProperty("InitLoad").GetDouble());
        Assert.Equal(750, line.GetProperty("ImageBytes").GetInt32());
        Assert.Equal(1, line.GetProperty("Success").GetInt32());
        Assert.Equal("r-1", line.GetProperty("requestId").GetString());
        Assert.Equal(200, line.GetProperty("status").GetInt32());
        Assert.Equal(1000, line.GetProperty("bodyBytes").GetInt32());
        Assert.Equal("1", line.GetProperty("modelVersion").GetString());
        Assert.True(line.GetProperty("cold").GetBoolean());
        Assert.DoesNotContain('\n', sink.Lines[0]);
    }

    [Fact]
    public void DeclaresOnlyTheMetricsItHasValuesFor()
    {
        var sink = new MemoryLogSink();
        new RequestLog(sink, "f", TimeProvider.System).Request(new RequestLogEntry
        {
            RequestId = "r-2", Route = "unknown", Method = "GET", Status = 404, TotalMs = 0.4, Error = "not-found",
        });
        var line = JsonDocument.Parse(Assert.Single(sink.Lines)).RootElement;
        AssertValidEmf(line);
        var names = line.GetProperty("_aws").GetProperty("CloudWatchMetrics")[0].GetProperty("Metrics").EnumerateArray()
            .Select(m => m.GetProperty("Name").GetString()!).ToArray();
        Assert.Equal(["Latency", "ColdStart", "ClientError"], names);
        Assert.Equal("not-found", line.GetProperty("error").GetString());
    }
}
