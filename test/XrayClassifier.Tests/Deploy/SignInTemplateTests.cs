using System.Text.Json;
using System.Text.Json.Nodes;
using XrayClassifier.Function.Configuration;
using XrayClassifier.Tests.TestHelpers;

namespace XrayClassifier.Tests.Deploy;

/// <summary>
/// Under Authorizer COGNITO_USER_POOLS the template tells the function where its page signs in (XRAY_SIGNIN_*: the user
/// pool domain's hosted UI endpoints and the page's app client), and that client is what the page's flow needs: public
/// (no secret), the authorization code flow only, the page itself as its one callback. Under the other authorizers the
/// variables are empty, which the function reads as "no sign-in". Each variant linted by cfn-lint as it resolves.
/// </summary>
public sealed class SignInTemplateTests
{
    private static readonly Lazy<IReadOnlyList<(string Authorizer, JsonObject Deployed)>> s_variants = new(Lint);

    private static IReadOnlyList<(string, JsonObject)> Lint()
    {
        var sets = new[]
        {
            new Dictionary<string, string> { ["Authorizer"] = "API_KEY" },
            new Dictionary<string, string> { ["Authorizer"] = "AWS_IAM", ["InvokerPrincipalArn"] = "arn:aws:iam::123456789012:role/pacs-gateway" },
            new Dictionary<string, string> { ["Authorizer"] = "COGNITO_USER_POOLS" },
        };
        using var temp = TestEnvironment.CreateTempDirectory("xray-signin-variants");
        var file = temp.Combine("parameters.json");
        File.WriteAllText(file, JsonSerializer.Serialize(sets));
        var run = DeployFiles.RunValidator(TimeSpan.FromMinutes(5), DeployFiles.TemplatePath, "--each", file);
        Assert.True(run.ExitCode == 0, run.Stdout + run.Stderr);
        return JsonNode.Parse(run.Stdout)!.AsArray().Select(r =>
        {
            Assert.True((bool)r!["templateValid"]! && r["errors"]!["warn"]!.AsArray().Count == 0, r["errors"]!.ToJsonString());
            return ((string)r["parameters"]!["Authorizer"]!, r["resolved"]!.AsObject());
        }).ToList();
    }

    private static JsonNode Variables(JsonObject deployed) => DeployFiles.Resource(deployed, "Function")["Properties"]!["Environment"]!["Variables"]!;

    private static string Sub(JsonNode? node) => (string)node!["Fn::Sub"]!;

    [Fact]
    public void UnderCognitoTellsThePageTheHostedUiAndItsClient()
    {
        var deployed = Assert.Single(s_variants.Value, v => v.Authorizer == "COGNITO_USER_POOLS").Deployed;
        var variables = Variables(deployed);

        const string hostedUi = "https://${UserPoolDomain}.auth.${AWS::Region}.amazoncognito.com";
        Assert.Equal(hostedUi + "/oauth2/authorize", Sub(variables[SignInSettings.AuthorizeUrlVariable]));
        Assert.Equal(hostedUi + "/oauth2/token", Sub(variables[SignInSettings.TokenUrlVariable]));
        Assert.Equal(hostedUi + "/logout", Sub(variables[SignInSettings.LogoutUrlVariable]));
        Assert.True(JsonNode.DeepEquals(new JsonObject { ["Ref"] = "UserPoolClient" }, variables[SignInSettings.ClientIdVariable]));
        Assert.Equal("AWS::Cognito::UserPoolDomain", (string)DeployFiles.Resource(deployed, "UserPoolDomain")["Type"]!);

        // What the function makes of them once CloudFormation has filled them in: a sign-in with one origin, no problem.
        string Filled(string sub) => sub.Replace("${UserPoolDomain}", "xray-classifier-123456789012").Replace("${AWS::Region}", "eu-west-1");
        var options = XrayOptions.FromEnvironment(new DictionaryEnvironmentVariables(new Dictionary<string, string?>
        {
            ["XRAY_API_AUTHORIZER"] = "COGNITO_USER_POOLS",
            [SignInSettings.AuthorizeUrlVariable] = Filled(Sub(variables[SignInSettings.AuthorizeUrlVariable])),
            [SignInSettings.TokenUrlVariable] = Filled(Sub(variables[SignInSettings.TokenUrlVariable])),
            [SignInSettings.ClientIdVariable] = "4q7l0g2n8tm1s3vb5c9k6d0e1f",
            [SignInSettings.LogoutUrlVariable] = Filled(Sub(variables[SignInSettings.LogoutUrlVariable])),
        }));
        Assert.Empty(options.Problems);
        Assert.Equal("https://xray-classifier-123456789012.auth.eu-west-1.amazoncognito.com", options.SignIn.Origin);

        // The page's client: public, the code flow only, the page (the API's URL, GET on the stage root) its one callback.
        var client = DeployFiles.Resource(deployed, "UserPoolClient")["Properties"]!;
        Assert.False((bool)client["GenerateSecret"]!);
        Assert.True((bool)client["AllowedOAuthFlowsUserPoolClient"]!);
        Assert.Equal(["code"], client["AllowedOAuthFlows"]!.AsArray().Select(f => (string)f!));
        Assert.Contains("openid", client["AllowedOAuthScopes"]!.AsArray().Select(s => (string)s!));
        string callback = Sub(Assert.Single(client["CallbackURLs"]!.AsArray()));
        string apiUrl = Sub(deployed["Outputs"]!["ApiUrl"]!["Value"]);
        Assert.True(JsonNode.DeepEquals(new JsonObject { ["Ref"] = "StageName" }, DeployFiles.Resource(deployed, "Stage")["Properties"]!["StageName"]));
        Assert.Equal(apiUrl.Replace("${Stage}", "${StageName}", StringComparison.Ordinal), callback);
        // Sign out comes back to the page too (Cognito's /logout only redirects to a registered sign-out URL).
        Assert.Equal(callback, Sub(Assert.Single(client["LogoutURLs"]!.AsArray())));
    }

    [Theory]
    [InlineData("API_KEY")]
    [InlineData("AWS_IAM")]
    public void UnderTheOtherAuthorizersLeavesTheSignInEmpty(string authorizer)
    {
        var deployed = Assert.Single(s_variants.Value, v => v.Authorizer == authorizer).Deployed;
        var variables = Variables(deployed);

        var values = new[] { SignInSettings.AuthorizeUrlVariable, SignInSettings.TokenUrlVariable, SignInSettings.ClientIdVariable, SignInSettings.LogoutUrlVariable }
            .ToDictionary(n => n, n => (string?)variables[n]);
        Assert.All(values.Values, v => Assert.Equal("", v));
        var options = XrayOptions.FromEnvironment(new DictionaryEnvironmentVariables(values));
        Assert.Empty(options.Problems);
        Assert.False(options.SignIn.IsConfigured);
        Assert.False(DeployFiles.Resource(deployed, "Function").ToJsonString().Contains("UserPool", StringComparison.Ordinal));
    }
}
