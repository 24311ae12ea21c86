using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using XrayClassifier.Tests.TestHelpers;

namespace XrayClassifier.Tests.Deploy;

/// <summary>The README's deploy steps as a reader runs them. A stack update does not publish the REST API (the
/// template's Deployment is replaced only when its RestApiId changes), so each stack deploy must be followed by a new
/// API deployment of the stage it deployed, or a changed authorizer or resource policy never takes effect.</summary>
public class ReadmeDeployStepsTests
{
    private static readonly string s_readme = File.ReadAllText(Path.Combine(TestEnvironment.RepoRoot, "README.md"));

    /// <summary>The README's shell blocks, each a list of commands with line continuations joined.</summary>
    private static IEnumerable<List<string>> ShellBlocks() =>
        Regex.Matches(s_readme, @"```sh\n(.*?)```", RegexOptions.Singleline)
            .Select(m => m.Groups[1].Value.Replace("\\\n", " ").Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToList());

    [Fact]
    public void EveryStackDeployIsFollowedByANewApiDeploymentOfItsStage()
    {
        var parameters = DeployFiles.Template["Parameters"]!;
        // The output the command reads must be the REST API's id.
        var apiIdOutputs = DeployFiles.Template["Outputs"]!.AsObject()
            .Where(o => JsonNode.DeepEquals(o.Value!["Value"], new JsonObject { ["Ref"] = "Api" })).Select(o => o.Key).ToList();
        Assert.NotEmpty(apiIdOutputs);

        var deploys = 0;
        foreach (var block in ShellBlocks())
        {
            for (int i = 0; i < block.Count; i++)
            {
                if (!block[i].StartsWith("aws cloudformation deploy --template-file deploy/template.yaml", StringComparison.Ordinal))
                    continue;
                deploys++;
                var stack = Regex.Match(block[i], @"--stack-name (\S+)").Groups[1].Value;
                var givenStage = Regex.Match(block[i], @"(?<=\s)StageName=(\S+)");
                var stage = givenStage.Success ? givenStage.Groups[1].Value : (string)parameters["StageName"]!["Default"]!;

                var redeploy = block.Skip(i + 1).TakeWhile(l => !l.StartsWith("aws cloudformation deploy", StringComparison.Ordinal))
                    .FirstOrDefault(l => l.StartsWith("aws apigateway create-deployment ", StringComparison.Ordinal));
                Assert.True(redeploy is not null, $"no `aws apigateway create-deployment` after `{block[i]}`");
                Assert.Matches($@"--stage-name {Regex.Escape(stage)}(\s|$)", redeploy);
                var apiId = Regex.Match(redeploy!, @"--rest-api-id\s+""\$\(aws cloudformation describe-stacks --stack-name (\S+) --query ""Stacks\[0\]\.Outputs\[\?OutputKey=='(\w+)'\]\.OutputValue"" --output text\)""");
                Assert.True(apiId.Success, $"--rest-api-id does not read the stack's output: {redeploy}");
                Assert.Equal(stack, apiId.Groups[1].Value);
                Assert.Contains(apiId.Groups[2].Value, apiIdOutputs);
            }
        }
        Assert.True(deploys >= 2, $"found {deploys} stack deploys in the README");
    }

    [Fact]
    public void TheSecurityReviewSaysAnOptionChangeNeedsTheApiDeployedAgain()
    {
        var review = s_readme[s_readme.IndexOf("\n## Security review", StringComparison.Ordinal)..];
        review = review[..review.IndexOf("\n## ", 1, StringComparison.Ordinal)];

        Assert.Contains("aws apigateway create-deployment", review);
        Assert.Contains("InvokerPrincipalArn", review);
        // The template's own Deployment is the reason: nothing in it changes when the API does.
        var deployment = DeployFiles.Template["Resources"]!["Deployment"]!["Properties"]!.AsObject();
        Assert.Equal(["RestApiId"], deployment.Select(p => p.Key));
    }
}
