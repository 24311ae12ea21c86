using System.Text;
using XrayClassifier.Function.ApiGateway;
using XrayClassifier.Function.EventSources;

namespace XrayClassifier.Tests.EventSources;

/// <summary>The event source told from the event's shape; and object keys decoded as AWS's own samples decode them, checked
/// against Python's urllib.parse (unquote_plus for notifications and S3 Batch 1.0, unquote for 2.0).</summary>
public sealed class EventShapeTests
{
    private static EventSourceKind Detect(string json) => EventShape.Detect(Encoding.UTF8.GetBytes(json));

    [Fact]
    public void TellsEachEngineByItsDocumentedMembers()
    {
        Assert.Equal(EventSourceKind.ApiGateway, EventShape.Detect(ProxyEventBuilder.Post().BinaryBody(TestImages.Xray, "image/png").ToUtf8()));
        Assert.Equal(EventSourceKind.S3BatchOperations, Detect(ArchiveEvents.S3Batch10("b", "k")));
        Assert.Equal(EventSourceKind.S3BatchOperations, Detect(ArchiveEvents.S3Batch20("b", "k", new() { ["heatmap"] = "top" })));
        Assert.Equal(EventSourceKind.S3Notification, Detect(ArchiveEvents.Notification("b", ("ObjectCreated:Put", "k", 1, "e"))));
        Assert.Equal(EventSourceKind.DistributedMapItem, Detect(ArchiveEvents.ListingItem("b", "k", 1, "e").ToJsonString()));
        Assert.Equal(EventSourceKind.DistributedMapBatch, Detect(ArchiveEvents.Batch("b", [ArchiveEvents.ListingItem(null, "k", 1, "e")])));
    }

    [Theory]
    [InlineData("")]
    [InlineData("{\"path\":")]
    [InlineData("{\"tasks\":[], \"invocationSchemaVersion\":\"1.0\"")]
    [InlineData("not json")]
    [InlineData("{} trailing")]
    [InlineData("{\"headers\":\"x\",\"Records\":[]}")]
    public void LeavesWhatIsNotJsonOrNamesAProxyMemberToTheProxyHandler(string payload) =>
        Assert.Equal(EventSourceKind.ApiGateway, Detect(payload));

    [Theory]
    [InlineData("{}")]
    [InlineData("null")]
    [InlineData("[]")]
    [InlineData("[{\"Key\":\"k\"}]")]
    [InlineData("{\"invocationSchemaVersion\":\"1.0\"}")]
    [InlineData("{\"key\":\"lower-case key is not a listing item\"}")]
    public void CallsValidJsonOfNoKnownShapeUnrecognised(string payload) =>
        Assert.Equal(EventSourceKind.Unrecognised, Detect(payload));

    public static TheoryData<string> EncodedKeys => new()
    {
        "plain/key.png", "a+b", "a%2Bb", "with%20space", "caf%C3%A9+au+lait.png", "%E6%97%A5%E6%9C%AC/%E8%83%B8.dcm", "100%25",
        "%F0%9F%A9%BB+x-ray.png", "mixed+%2B+%20+end", "Ünïcode raw.png", "a//b/", "%7E~%2F",
    };

    [Theory]
    [MemberData(nameof(EncodedKeys))]
    public void DecodesKeysAsPythonsUrllibDoes(string encoded)
    {
        string python = Python.RunCode(
            "import sys, urllib.parse as p; a = sys.argv[1]; " +
            "sys.stdout.buffer.write((p.unquote_plus(a, errors='strict') + '\\n' + p.unquote(a, errors='strict')).encode('utf-8'))", encoded);
        var expected = python.Split('\n');
        Assert.True(ObjectKeyEncoding.TryDecode(encoded, plusIsSpace: true, out var plus, out var problem), problem);
        Assert.Equal(expected[0], plus);
        Assert.True(ObjectKeyEncoding.TryDecode(encoded, plusIsSpace: false, out var percent, out problem), problem);
        Assert.Equal(expected[1], percent);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("bad%", "not followed by two hex digits")]
    [InlineData("bad%4", "not followed by two hex digits")]
    [InlineData("bad%zz", "not followed by two hex digits")]
    [InlineData("%C3%28", "not UTF-8")]
    [InlineData("%FF", "not UTF-8")]
    public void RefusesKeysThatDoNotDecode(string encoded, string why)
    {
        Assert.False(ObjectKeyEncoding.TryDecode(encoded, plusIsSpace: true, out _, out var problem));
        Assert.Contains(why, problem);
    }

    [Fact]
    public void RefusesKeysOverS3sLimitOnceDecoded()
    {
        Assert.True(ObjectKeyEncoding.TryDecode(string.Concat(Enumerable.Repeat("%41", 1024)), true, out var key, out _));
        Assert.Equal(1024, key.Length);
        Assert.False(ObjectKeyEncoding.TryDecode(string.Concat(Enumerable.Repeat("%41", 1025)), true, out _, out var problem));
        Assert.Contains("at most 1024", problem);
    }
}
