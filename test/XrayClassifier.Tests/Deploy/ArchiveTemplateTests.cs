using System.Text.Json;
using System.Text.Json.Nodes;
using XrayClassifier.Tests.TestHelpers;

namespace XrayClassifier.Tests.Deploy;

/// <summary>
/// The template's archive part (issue 23): the function's rights on an existing archive bucket, the inbox's S3
/// notification, the role S3 Batch Operations assumes and the Distributed Map state machine — all only with an
/// archive bucket, least privilege, no notification loop, and ASL that asl-validator accepts.
/// </summary>
public class ArchiveTemplateTests
{
    private static readonly string[] ArchiveResources =
        ["ArchiveAccessPolicy", "InboxInvokePermission", "BatchOperationsRole", "ArchiveStateMachineRole", "ArchiveStateMachine"];

    // The archive's resources as written: with the default parameters (no archive bucket) CloudFormation creates none of them.
    private static JsonObject Resource(string logicalId) => DeployFiles.Resource(DeployFiles.Template, logicalId);
    private static JsonObject Properties(string logicalId) => Resource(logicalId)["Properties"]!.AsObject();

    private static string Default(string parameter) => (string)DeployFiles.Template["Parameters"]![parameter]!["Default"]!;

    // A statement behind an option (Fn::If [ArchiveUsesKms, grant, AWS::NoValue]) counts as its grant: every one is held
    // to these rules as if the option were on (SecurityTemplateTests resolves each combination).
    private static IEnumerable<JsonObject> Statements(JsonObject policyOwner) =>
        (policyOwner.ContainsKey("PolicyDocument")
            ? policyOwner["PolicyDocument"]!["Statement"]!.AsArray()
            : policyOwner["Policies"]!.AsArray().SelectMany(p => p!["PolicyDocument"]!["Statement"]!.AsArray()))
        .Select(s => s!["Fn::If"] is JsonArray option ? option[1]!.AsObject() : s!.AsObject());

    private static IEnumerable<string> Strings(JsonNode? node) => node switch
    {
        JsonArray a => a.SelectMany(Strings),
        JsonValue v => [(string)v!],
        JsonObject o when o["Fn::Sub"] is JsonValue sub => [(string)sub!],
        JsonObject o => [o.ToJsonString()],
        _ => [],
    };

    private static JsonObject Statement(JsonObject policyOwner, string action) =>
        Assert.Single(Statements(policyOwner), s => Strings(s["Action"]).Contains(action));

    private static JsonObject Definition()
    {
        var result = ProcessRunner.Run("node", [Path.Combine(TestEnvironment.RepoRoot, "deploy", "validate-asl.js")], TestEnvironment.RepoRoot, TimeSpan.FromMinutes(2));
        Assert.True(result.ExitCode == 0, result.Stdout + result.Stderr);
        var report = JsonNode.Parse(result.Stdout)!;
        Assert.True((bool)report["valid"]!);
        return report["definition"]!.AsObject();
    }

    [Fact]
    public void CreatesNothingForArchivesUntilABucketIsNamed()
    {
        Assert.Equal("", Default("ArchiveBucketName"));
        var condition = DeployFiles.Template["Conditions"]!["HasArchive"]!.ToJsonString();
        Assert.Equal("""{"Fn::Not":[{"Fn::Equals":[{"Ref":"ArchiveBucketName"},""]}]}""", condition);
        Assert.All(ArchiveResources, r => Assert.Equal("HasArchive", (string)Resource(r)["Condition"]!));
        Assert.All(new[] { "BatchOperationsRoleArn", "ArchiveStateMachineArn" },
            o => Assert.Equal("HasArchive", (string)DeployFiles.Template["Outputs"]![o]!["Condition"]!));
    }

    [Fact]
    public void GrantsNoWildcardActionOrResourceInTheArchiveRoles()
    {
        var statements = ArchiveResources.Select(r => Properties(r)).Where(p => p.ContainsKey("PolicyDocument") || p.ContainsKey("Policies"))
            .SelectMany(Statements).ToList();

        Assert.True(statements.Count >= 10, $"{statements.Count} statements");
        Assert.All(statements, s =>
        {
            Assert.Equal("Allow", (string)s["Effect"]!);
            Assert.All(Strings(s["Action"]), a => Assert.DoesNotContain("*", a));
            // Object ARNs end in "<prefix>*" (the objects under a prefix); never "*" alone or a bucket-wide "/*".
            Assert.All(Strings(s["Resource"]), r =>
            {
                Assert.NotEqual("*", r);
                Assert.DoesNotMatch(@"\}/\*$", r);
            });
        });
    }

    [Fact]
    public void LetsTheFunctionReadTheSourceAndInboxAndWriteOnlyTheResultsPrefix()
    {
        var policy = Properties("ArchiveAccessPolicy");
        Assert.Equal("""[{"Ref":"FunctionRole"}]""", policy["Roles"]!.ToJsonString());

        var write = Statement(policy, "s3:PutObject");
        Assert.Equal(["s3:PutObject"], Strings(write["Action"]));
        Assert.Equal(["arn:${AWS::Partition}:s3:::${ArchiveBucketName}/${ArchiveResultsPrefix}*"], Strings(write["Resource"]));
        var read = Statement(policy, "s3:GetObject");
        Assert.Equal(["s3:GetObject", "s3:GetObjectVersion"], Strings(read["Action"]).Order());
        Assert.Equal(new[] { "ArchiveInboxPrefix", "ArchiveResultsPrefix", "ArchiveSourcePrefix" },
            Strings(read["Resource"]).Select(r => r.Split("${")[^1].TrimEnd('*', '}')).Order());
        var list = Statement(policy, "s3:ListBucket");
        Assert.Equal(["arn:${AWS::Partition}:s3:::${ArchiveBucketName}"], Strings(list["Resource"]));
        Assert.Equal(3, list["Condition"]!["StringLike"]!["s3:prefix"]!.AsArray().Count);
        // Those three, and the use of an SSE-KMS archive bucket's key (ArchiveBucketKmsKey, SecurityTemplateTests).
        Assert.Equal(4, Statements(policy).Count());
        Assert.Equal("""{"Ref":"ArchiveBucketKmsKey"}""", Statement(policy, "kms:Decrypt")["Resource"]!.ToJsonString());
        Assert.Equal("""{"Ref":"ArchiveResultsPrefix"}""", Properties("Function")["Environment"]!["Variables"]!["XRAY_RESULTS_PREFIX"]!.ToJsonString());
        // The issue's default, which the function uses without the variable.
        Assert.Equal("results/", Default("ArchiveResultsPrefix"));
    }

    [Fact]
    public void NotifiesTheFunctionOnlyForTheInboxSoThatItsResultsNeverTriggerItAgain()
    {
        var notification = JsonNode.Parse(File.ReadAllText(Path.Combine(TestEnvironment.RepoRoot, "deploy", "inbox-notification.json")))!;
        var config = Assert.Single(notification["LambdaFunctionConfigurations"]!.AsArray())!;
        Assert.Equal(["s3:ObjectCreated:*"], Strings(config["Events"]));
        var rule = Assert.Single(config["Filter"]!["Key"]!["FilterRules"]!.AsArray())!;
        Assert.Equal("prefix", (string)rule["Name"]!);
        string inbox = (string)rule["Value"]!, results = Default("ArchiveResultsPrefix");
        Assert.Equal(Default("ArchiveInboxPrefix"), inbox);

        // The result of inbox/a b.png is results/inbox/a b.png.json: outside the filter, and no prefix holds the other.
        Assert.False((results + inbox + "a b.png.json").StartsWith(inbox, StringComparison.Ordinal));
        Assert.False(results.StartsWith(inbox, StringComparison.Ordinal));
        Assert.False(inbox.StartsWith(results, StringComparison.Ordinal));
        Assert.All(new[] { "ArchiveInboxPrefix", "ArchiveResultsPrefix", "ArchiveSourcePrefix", "ArchiveJobsPrefix" },
            p => Assert.EndsWith("/", Default(p)));

        var permission = Properties("InboxInvokePermission");
        Assert.Equal("s3.amazonaws.com", (string)permission["Principal"]!);
        Assert.Equal("arn:${AWS::Partition}:s3:::${ArchiveBucketName}", (string)permission["SourceArn"]!["Fn::Sub"]!);
        Assert.Equal("""{"Ref":"AWS::AccountId"}""", permission["SourceAccount"]!.ToJsonString());
    }

    [Fact]
    public void GivesS3BatchOperationsARoleThatInvokesTheFunctionReadsManifestsAndWritesReports()
    {
        var role = Properties("BatchOperationsRole");
        var trust = Assert.Single(role["AssumeRolePolicyDocument"]!["Statement"]!.AsArray())!;
        Assert.Equal("batchoperations.s3.amazonaws.com", (string)trust["Principal"]!["Service"]!);

        var invoke = Statement(role, "lambda:InvokeFunction");
        Assert.Equal("""[{"Fn::GetAtt":["Function","Arn"]},{"Fn::Sub":"${Function.Arn}:*"}]""", invoke["Resource"]!.ToJsonString());
        Assert.EndsWith("${ArchiveJobsPrefix}manifests/*", Strings(Statement(role, "s3:GetObject")["Resource"]).Single());
        Assert.EndsWith("${ArchiveJobsPrefix}reports/*", Strings(Statement(role, "s3:PutObject")["Resource"]).Single());
        // kms: only for an SSE-KMS archive bucket (ArchiveBucketKmsKey).
        Assert.Equal(["kms:Decrypt", "kms:GenerateDataKey", "lambda:InvokeFunction", "s3:GetObject", "s3:GetObjectVersion", "s3:PutObject"],
            Statements(role).SelectMany(s => Strings(s["Action"])).Order());
    }

    [Fact]
    public void RunsADistributedMapOverTheSourcePrefixInBatchesWithResultFilesAndRetries()
    {
        var map = Definition()["States"]!["ClassifyArchive"]!.AsObject();

        Assert.Equal("Map", (string)map["Type"]!);
        Assert.Equal("DISTRIBUTED", (string)map["ItemProcessor"]!["ProcessorConfig"]!["Mode"]!);
        Assert.Equal("arn:aws:states:::s3:listObjectsV2", (string)map["ItemReader"]!["Resource"]!);
        Assert.Equal(Default("ArchiveSourcePrefix"), (string)map["ItemReader"]!["Parameters"]!["Prefix"]!);
        Assert.Equal("example-archive", (string)map["ItemReader"]!["Parameters"]!["Bucket"]!);
        // Listing items carry no bucket: the batch gives it to the function.
        Assert.Equal("example-archive", (string)map["ItemBatcher"]!["BatchInput"]!["Bucket"]!);
        Assert.Equal(JsonValueKind.Number, map["ItemBatcher"]!["MaxItemsPerBatch"]!.GetValueKind());
        Assert.Equal(JsonValueKind.Number, map["MaxConcurrency"]!.GetValueKind());
        Assert.Equal("arn:aws:states:::s3:putObject", (string)map["ResultWriter"]!["Resource"]!);
        Assert.Equal(Default("ArchiveJobsPrefix") + "map-runs", (string)map["ResultWriter"]!["Parameters"]!["Prefix"]!);

        var task = map["ItemProcessor"]!["States"]![(string)map["ItemProcessor"]!["StartAt"]!]!;
        Assert.Equal("arn:aws:states:::lambda:invoke", (string)task["Resource"]!);
        Assert.Equal("$", (string)task["Parameters"]!["Payload.$"]!);
        var retried = task["Retry"]!.AsArray().SelectMany(r => Strings(r!["ErrorEquals"])).ToList();
        Assert.Contains("Lambda.TooManyRequestsException", retried);
        Assert.Contains("Lambda.ServiceException", retried);
        Assert.DoesNotContain("States.ALL", retried);

        // The role may start this machine's own child executions, by its fixed name.
        var role = Properties("ArchiveStateMachineRole");
        Assert.EndsWith(":stateMachine:${FunctionName}-archive", (string)Statement(role, "states:StartExecution")["Resource"]!["Fn::Sub"]!);
        Assert.Equal("${FunctionName}-archive", (string)Properties("ArchiveStateMachine")["StateMachineName"]!["Fn::Sub"]!);
        Assert.Equal(["${ArchiveSourcePrefix}*"], Strings(Statement(role, "s3:ListBucket")["Condition"]!["StringLike"]!["s3:prefix"]));
    }

    [Fact]
    public void AslValidatorRejectsAMapWithoutAValidProcessorMode()
    {
        using var temp = TestEnvironment.CreateTempDirectory("xray-asl");
        var path = temp.Combine("template.yaml");
        File.WriteAllText(path, File.ReadAllText(DeployFiles.TemplatePath).Replace("\"Mode\": \"DISTRIBUTED\"", "\"Mode\": \"DISTRIBUTD\""));

        var result = ProcessRunner.Run("node", [Path.Combine(TestEnvironment.RepoRoot, "deploy", "validate-asl.js"), path], TestEnvironment.RepoRoot, TimeSpan.FromMinutes(2));

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("ProcessorConfig/Mode is invalid", result.Stdout);
    }
}
