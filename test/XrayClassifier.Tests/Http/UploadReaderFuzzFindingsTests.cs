using XrayClassifier.Function.ApiGateway;
using XrayClassifier.Function.Http;
using XrayClassifier.Function.Imaging;

namespace XrayClassifier.Tests.Http;

/// <summary>Uploads the fuzzer (tools/fuzz.sh upload) found breaking the reader's contract: only ProblemException (or
/// ImageRejectedException over the size limit) for a body it refuses.</summary>
public class UploadReaderFuzzFindingsTests
{
    // AFL (202,240 executions in): {"":1,"Image":"Wat\x93nY\basYAA="} — an escaped "image" string is unescaped with
    // CopyString, which reports invalid UTF-8 as an InvalidOperationException (a 500), not a JsonException.
    [Fact]
    public void RejectsAnEscapedImageStringThatIsNotUtf8AsBadJson()
    {
        const string Name = "afl-000000-escaped-image-not-utf8.bin";
        var input = FuzzFindings.Input("upload", Name);
        var request = new ProxyRequest
        {
            Headers = new() { ["content-type"] = "application/json" },
            Body = new ProxyBody(input.AsMemory(2)),
        };
        using var lease = new BufferLease();
        var e = Assert.Throws<ProblemException>(() => UploadReader.Read(request, lease, new ImageLimits(8 * 1024, 1 << 20, 1)));
        Assert.Equal(ProblemTypes.BadJson, e.Type);
        FuzzFindings.HoldsContract("upload", Name);
    }
}
