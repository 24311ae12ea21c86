using XrayClassifier.Tests.TestHelpers;

namespace XrayClassifier.Tests.EventSources;

/// <summary>What the fuzzer's smoke run found in the token authorizer's readers (tools/XrayClassifier.Fuzz targets jwt, jwks):
/// a JSON string that is not UTF-8 inside a token's header or claims, or inside the issuer's key set, escaped as
/// System.Text.Json's InvalidOperationException instead of the readers' refusal.</summary>
public class TokenAuthorizerFuzzFindingsTests
{
    [Theory]
    [InlineData("jwt", "smoke-kid-not-utf8.txt")]
    [InlineData("jwt", "smoke-claim-name-not-utf8.txt")]
    [InlineData("jwks", "smoke-kty-not-utf8.json")]
    public void ARefusalNotAnEscapedException(string target, string name) => FuzzFindings.HoldsContract(target, name);
}
