using System.Text.Json;
using XrayClassifier.Function.ApiGateway;

namespace XrayClassifier.Tests.ApiGateway;

/// <summary>Events the fuzzer (tools/fuzz.sh event) found breaking the reader's contract: only JsonException for a malformed event.</summary>
public class ProxyEventReaderFuzzFindingsTests
{
    // An escaped string is copied with CopyString, whose invalid-UTF-8 InvalidOperationException carries no
    // DecoderFallbackException, so it slipped past the filter that turns GetString's into a JsonException.
    [Theory]
    [InlineData("escaped-body-not-utf8.json")]
    [InlineData("escaped-key-not-utf8.json")]
    public void RejectsAnEscapedStringThatIsNotUtf8AsJson(string name)
    {
        using var lease = new BufferLease();
        var e = Assert.Throws<JsonException>(() => ProxyEventReader.Read(FuzzFindings.Input("event", name), lease));
        Assert.Contains("not valid UTF-8", e.Message);
        FuzzFindings.HoldsContract("event", name);
    }

    // AFL (613,542 executions in): the base64 fast path skipped "an optional colon" after the property name,
    // but the JSON reader had already consumed it, so {"body"::"…"} was taken as a body instead of refused.
    [Fact]
    public void RejectsASecondColonBeforeTheBody()
    {
        const string Name = "afl-000001-double-colon-before-body.json";
        Assert.StartsWith("{\"body\"::\"", System.Text.Encoding.UTF8.GetString(FuzzFindings.Input("event", Name)));
        using var lease = new BufferLease();
        Assert.ThrowsAny<JsonException>(() => ProxyEventReader.Read(FuzzFindings.Input("event", Name), lease));
        using var lease2 = new BufferLease();
        Assert.ThrowsAny<JsonException>(() => ProxyEventReader.Read("{\"body\"::\"QUJD\"}"u8.ToArray(), lease2));
        FuzzFindings.HoldsContract("event", Name);
    }
}
