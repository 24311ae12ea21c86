using XrayClassifier.Tests.TestHelpers;

namespace XrayClassifier.Tests.Dicom;

/// <summary>The ~15 MB generator's file: over the default upload limit it is a typed 413, within a raised one it classifies.</summary>
public sealed class LargeDicomTests : IDisposable
{
    private readonly TestEfs _efs = TestEfs.WithSmallModel();
    private readonly TempDirectory _temp = TestEnvironment.CreateTempDirectory("xray-large-dicom");

    [Fact]
    public async Task IsFifteenMegabytesRefusedByDefaultAndClassifiedWithARaisedLimit()
    {
        var path = _temp.Combine("large.dcm");
        var (rows, columns) = LargeDicom.Write(path);
        var file = File.ReadAllBytes(path);
        Assert.InRange(file.Length, 15L * 1024 * 1024 - 100_000, 15L * 1024 * 1024 + 100_000);

        var refused = await ProxyAnswer.ReadAsync(_efs.CreateFunction().FunctionHandler(ProxyEventBuilder.Post().BinaryBody(file, "application/dicom").ToStream()));
        refused.AssertProblem(413, "image-too-large");

        var raised = _efs.CreateFunction(extra: ("XRAY_MAX_IMAGE_BYTES", (32 * 1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture)));
        var answer = await ProxyAnswer.ReadAsync(raised.FunctionHandler(ProxyEventBuilder.Post().BinaryBody(file, "application/dicom").ToStream()));
        Assert.True(answer.Status == 200, answer.Body);
        Assert.Equal((columns, rows), (answer.Json.GetProperty("image").GetProperty("width").GetInt32(), answer.Json.GetProperty("image").GetProperty("height").GetInt32()));
    }

    public void Dispose()
    {
        _efs.Dispose();
        _temp.Dispose();
    }
}
