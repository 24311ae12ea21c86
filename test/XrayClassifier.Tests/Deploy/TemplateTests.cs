using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using XrayClassifier.Function.Configuration;
using XrayClassifier.Function.Uploads;
using XrayClassifier.Local.ApiGateway;
using XrayClassifier.Tests.TestHelpers;

namespace XrayClassifier.Tests.Deploy;

/// <summary>deploy/template.yaml: validated by npm's cfn-lint against AWS's resource specification (AWS's own cfn-lint: AwsCfnLintTests), and held to
/// the invariants the function, the zip and aws-lambda-tools-defaults.json depend on.</summary>
public class TemplateTests
{
    private static JsonNode Ref(string name) => new JsonObject { ["Ref"] = name };
    private static JsonNode GetAtt(string resource, string attribute) => new JsonObject { ["Fn::GetAtt"] = new JsonArray(resource, attribute) };
    private static void AssertJson(JsonNode? expected, JsonNode? actual) =>
        Assert.True(JsonNode.DeepEquals(expected, actual), $"expected {expected?.ToJsonString()}, got {actual?.ToJsonString()}");

    private static JsonObject FunctionProperties => DeployFiles.Properties("Function");

    [Fact]
    public void ReadsTheTemplateExactlyAsCfnLintsYamlParserDoes()
    {
        var result = DeployFiles.RunValidator(DeployFiles.TemplatePath, "--parsed");
        Assert.True(result.ExitCode == 0, result.Stderr);

        AssertJson(JsonNode.Parse(result.Stdout), DeployFiles.Template);
    }

    /// <summary>The README's <c>aws cloudformation deploy</c> commands name every parameter the template requires (no Default)
    /// and no parameter it does not have: CloudFormation refuses the command otherwise.</summary>
    [Fact]
    public void TheReadmesDeployCommandsGiveEveryRequiredParameter()
    {
        var parameters = DeployFiles.Template["Parameters"]!.AsObject();
        var required = parameters.Where(p => p.Value!["Default"] is null).Select(p => p.Key).ToHashSet();
        string readme = File.ReadAllText(Path.Combine(TestEnvironment.RepoRoot, "README.md")).Replace("\\\n", " ");
        var commands = readme.Split('\n').Where(l => l.StartsWith("aws cloudformation deploy --template-file deploy/template.yaml")).ToList();
        Assert.NotEmpty(commands);
        Assert.All(commands, command =>
        {
            var given = Regex.Matches(command, @"(?<=\s)([A-Za-z0-9]+)=").Select(m => m.Groups[1].Value).ToHashSet();
            Assert.Empty(required.Except(given));
            Assert.DoesNotContain(given, g => !parameters.ContainsKey(g));
        });
    }

    [Fact]
    public void PassesCfnLintWithTheCloudFormationResourceSpecification()
    {
        var result = DeployFiles.RunValidator(DeployFiles.TemplatePath);
        var report = JsonDocument.Parse(result.Stdout).RootElement;

        Assert.True(result.ExitCode == 0, result.Stdout + result.Stderr);
        Assert.True(report.GetProperty("templateValid").GetBoolean());
        Assert.Empty(report.GetProperty("errors").GetProperty("crit").EnumerateArray());
        Assert.Empty(report.GetProperty("errors").GetProperty("warn").EnumerateArray());
    }

    [Fact]
    public void ValidatorRejectsAMisspelledPropertyAndAMissingAttribute()
    {
        using var temp = TestEnvironment.CreateTempDirectory("xray-template");
        var broken = File.ReadAllText(DeployFiles.TemplatePath)
            .Replace("      FileSystemConfigs:", "      FileSystemConfig:")
            .Replace("!GetAtt FunctionRole.Arn", "!GetAtt FunctionRole.Arnn");
        var path = temp.Combine("template.yaml");
        File.WriteAllText(path, broken);

        var result = DeployFiles.RunValidator(path);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("FileSystemConfig is not a valid property of AWS::Lambda::Function", result.Stdout);
        Assert.Contains("No such attribute Arnn on AWS::IAM::Role", result.Stdout);
    }

    [Fact]
    public void MountsTheAccessPointWhereTheFunctionLooksForEfs()
    {
        var configs = FunctionProperties["FileSystemConfigs"]!.AsArray();

        var config = Assert.Single(configs)!.AsObject();
        AssertJson(GetAtt("AccessPoint", "Arn"), config["Arn"]);
        var mountPath = (string)config["LocalMountPath"]!;
        Assert.Matches(new Regex("^/mnt/[a-zA-Z0-9-_.]+$"), mountPath);
        Assert.Equal(XrayOptions.DefaultEfsRoot, mountPath);
        Assert.Equal(mountPath, (string)FunctionProperties["Environment"]!["Variables"]!["XRAY_EFS_ROOT"]!);
    }

    [Fact]
    public void EncryptsTheFileSystemWithElasticThroughput()
    {
        var fs = DeployFiles.Properties("FileSystem");

        Assert.True((bool)fs["Encrypted"]!);
        Assert.Equal("elastic", (string)fs["ThroughputMode"]!);
        Assert.False(fs.ContainsKey("ProvisionedThroughputInMibps"));
    }

    [Fact]
    public void PutsAMountTargetInEveryFunctionSubnetBeforeTheFunction()
    {
        var mountTargets = DeployFiles.ResourcesOfType("AWS::EFS::MountTarget").ToList();
        var functionSubnets = FunctionProperties["VpcConfig"]!["SubnetIds"]!.AsArray().Select(s => s!.ToJsonString()).ToHashSet();
        var dependsOn = DeployFiles.Resource("Function")["DependsOn"]!.AsArray().Select(d => (string)d!).ToList();

        Assert.Equal(2, functionSubnets.Count);
        Assert.Equal(functionSubnets, mountTargets.Select(m => m.Value["Properties"]!["SubnetId"]!.ToJsonString()).ToHashSet());
        Assert.All(mountTargets, m =>
        {
            Assert.Contains(m.Key, dependsOn);
            AssertJson(Ref("FileSystem"), m.Value["Properties"]!["FileSystemId"]);
            AssertJson(new JsonArray(Ref("MountTargetSecurityGroup")), m.Value["Properties"]!["SecurityGroups"]);
        });
    }

    [Fact]
    public void OpensNfsToTheMountTargetsOnlyFromTheFunctionsSecurityGroup()
    {
        var functionGroups = FunctionProperties["VpcConfig"]!["SecurityGroupIds"]!.AsArray();
        var ingress = DeployFiles.Properties("MountTargetSecurityGroup")["SecurityGroupIngress"]!.AsArray();

        AssertJson(new JsonArray(Ref("FunctionSecurityGroupId")), functionGroups);
        var rule = Assert.Single(ingress)!.AsObject();
        Assert.Equal("tcp", (string)rule["IpProtocol"]!);
        Assert.Equal(2049, (long)rule["FromPort"]!);
        Assert.Equal(2049, (long)rule["ToPort"]!);
        AssertJson(Ref("FunctionSecurityGroupId"), rule["SourceSecurityGroupId"]);
        Assert.False(rule.ContainsKey("CidrIp"));
        Assert.Equal("AWS::EC2::SecurityGroup::Id", (string)DeployFiles.Template["Parameters"]!["FunctionSecurityGroupId"]!["Type"]!);
        Assert.Equal("AWS::EC2::Subnet::Id", (string)DeployFiles.Template["Parameters"]!["SubnetA"]!["Type"]!);
        Assert.Equal("AWS::EC2::Subnet::Id", (string)DeployFiles.Template["Parameters"]!["SubnetB"]!["Type"]!);
    }

    [Fact]
    public void RootsTheAccessPointAtXrayAsUserAndGroup1000()
    {
        var ap = DeployFiles.Properties("AccessPoint");

        Assert.Equal("1000", (string)ap["PosixUser"]!["Uid"]!);
        Assert.Equal("1000", (string)ap["PosixUser"]!["Gid"]!);
        Assert.Equal("/xray", (string)ap["RootDirectory"]!["Path"]!);
        var creation = ap["RootDirectory"]!["CreationInfo"]!;
        Assert.Equal("1000", (string)creation["OwnerUid"]!);
        Assert.Equal("1000", (string)creation["OwnerGid"]!);
        Assert.Matches("^[0-7]{3,4}$", (string)creation["Permissions"]!);
    }

    [Fact]
    public void ItsArchitectureParameterOffersExactlyTheArchitecturesABootstrapIsBuiltFor()
    {
        var parameter = DeployFiles.Template["Parameters"]!["Architecture"]!;

        Assert.Equal(LambdaArchitecture.All.Select(a => a.Name), parameter["AllowedValues"]!.AsArray().Select(v => (string)v!));
        // The arm64 zip the description names is the one tools/package.sh --aot --arch arm64 writes (BootstrapTests).
        Assert.Contains(LambdaArchitecture.Arm64.AotZip, (string)parameter["Description"]!);
        Assert.Contains("--aot --arch arm64", (string)parameter["Description"]!);
    }

    [Fact]
    public void RunsTheFunctionTheZipAndToolsDefaultsDescribe()
    {
        var defaults = DeployFiles.ToolsDefaults;
        var f = FunctionProperties;

        // The Native AOT bootstrap on the OS-only runtime: Lambda runs /var/task/bootstrap (BootstrapTests checks the zip).
        Assert.Equal("provided.al2023", (string)f["Runtime"]!);
        Assert.Equal("bootstrap", (string)f["Handler"]!);
        Assert.Equal((string)defaults["function-runtime"]!, (string)f["Runtime"]!);
        Assert.Equal((string)defaults["function-handler"]!, (string)f["Handler"]!);
        AssertJson(new JsonArray(Ref("Architecture")), f["Architectures"]);
        Assert.Equal((string)defaults["function-architecture"]!, (string)DeployFiles.Template["Parameters"]!["Architecture"]!["Default"]!);
        Assert.Equal((long)defaults["function-timeout"]!, (long)f["Timeout"]!);
        AssertJson(Ref("MemorySize"), f["MemorySize"]);
        Assert.Equal((long)defaults["function-memory-size"]!, (long)DeployFiles.Template["Parameters"]!["MemorySize"]!["Default"]!);
        // The upload bucket's variables refer to the stack's own resources and parameters: the bucket is a
        // placeholder in the tools' defaults, the cap the parameter's default.
        // XRAY_RESULTS_PREFIX comes from the archive's parameters (ArchiveTemplateTests).
        var templateVariables = f["Environment"]!["Variables"]!.AsObject()
            .Where(v => v.Key is not (UploadBucketSettings.BucketVariable or UploadBucketSettings.MaxUploadBytesVariable or "XRAY_API_AUTHORIZER" or "XRAY_RESULTS_PREFIX"))
            // The results destination is the stack's parameters (empty: none); the tools' defaults leave it unset.
            .Where(v => v.Key is not (ResultsDestinationSettings.UrlVariable or ResultsDestinationSettings.AuthorizationVariable))
            // The page's sign-in points at the stack's user pool (SignInTemplateTests); the tools' defaults leave it unset.
            .Where(v => v.Key is not (SignInSettings.AuthorizeUrlVariable or SignInSettings.TokenUrlVariable or SignInSettings.ClientIdVariable or SignInSettings.LogoutUrlVariable))
            .ToDictionary(v => v.Key, v => (string)v.Value!);
        var defaultVariables = DeployFiles.ParseEnvironmentVariables((string)defaults["environment-variables"]!);
        Assert.Equal(DeployFiles.Template["Parameters"]!["MaxUploadBytes"]!["Default"]!.ToString(), defaultVariables[UploadBucketSettings.MaxUploadBytesVariable]);
        Assert.Equal(defaultVariables.Where(v => v.Key is not (UploadBucketSettings.BucketVariable or UploadBucketSettings.MaxUploadBytesVariable))
            .ToDictionary(), templateVariables);
        AssertJson(GetAtt("FunctionRole", "Arn"), f["Role"]);
        Assert.EndsWith(Path.GetFileName((string)defaults["package"]!), (string)DeployFiles.Template["Parameters"]!["CodeS3Key"]!["Default"]!);
    }

    [Fact]
    public void GrantsTheRoleOnlyLogsNetworkInterfacesEfsThroughTheAccessPointAndTheUploadPrefix()
    {
        var role = DeployFiles.Properties("FunctionRole");
        var trust = Assert.Single(role["AssumeRolePolicyDocument"]!["Statement"]!.AsArray())!;
        Assert.Equal("lambda.amazonaws.com", (string)trust["Principal"]!["Service"]!);
        Assert.Equal("sts:AssumeRole", (string)trust["Action"]!);
        Assert.False(role.ContainsKey("ManagedPolicyArns"), "managed policies grant more than the function needs");

        var statements = role["Policies"]!.AsArray()
            .SelectMany(p => p!["PolicyDocument"]!["Statement"]!.AsArray())
            .Select(s => s!.AsObject()).ToList();
        Assert.All(statements, s => Assert.Equal("Allow", (string)s["Effect"]!));
        var actions = statements.SelectMany(s => s["Action"]!.AsArray().Select(a => (string)a!)).ToList();
        Assert.Equal(
            new[]
            {
                "ec2:AssignPrivateIpAddresses", "ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface",
                "ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets", "ec2:UnassignPrivateIpAddresses",
                "elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite",
                "logs:CreateLogStream", "logs:PutLogEvents",
                "s3:DeleteObject", "s3:GetObject", "s3:ListBucket", "s3:PutObject",
            },
            actions.Order(StringComparer.Ordinal));

        var efs = statements.Single(s => s["Action"]!.AsArray().Any(a => ((string)a!).StartsWith("elasticfilesystem:")));
        AssertJson(GetAtt("FileSystem", "Arn"), efs["Resource"]);
        AssertJson(GetAtt("AccessPoint", "Arn"), efs["Condition"]!["StringEquals"]!["elasticfilesystem:AccessPointArn"]);
        var objects = statements.Single(s => s["Action"]!.AsArray().Any(a => (string)a! == "s3:GetObject"));
        Assert.Equal(["s3:DeleteObject", "s3:GetObject", "s3:PutObject"], objects["Action"]!.AsArray().Select(a => (string)a!).Order());
        Assert.Equal("${UploadBucket.Arn}/" + UploadKey.Prefix + "*", (string)objects["Resource"]!["Fn::Sub"]!);
        var list = statements.Single(s => s["Action"]!.AsArray().Any(a => (string)a! == "s3:ListBucket"));
        Assert.Single(list["Action"]!.AsArray());
        AssertJson(GetAtt("UploadBucket", "Arn"), list["Resource"]);
        var logs = statements.Single(s => s["Action"]!.AsArray().Any(a => ((string)a!).StartsWith("logs:")));
        AssertJson(GetAtt("FunctionLogGroup", "Arn"), logs["Resource"]);
        Assert.Equal("/aws/lambda/${FunctionName}", (string)DeployFiles.Properties("FunctionLogGroup")["LogGroupName"]!["Fn::Sub"]!);
        AssertJson(Ref("FunctionName"), FunctionProperties["FunctionName"]);
    }

    [Fact]
    public void ServesEveryPathAndMethodThroughAProxyResourceWithBinaryBodies()
    {
        var api = DeployFiles.Properties("Api");
        AssertJson(new JsonArray("*/*"), api["BinaryMediaTypes"]);

        var resource = DeployFiles.Properties("ProxyResource");
        Assert.Equal("{proxy+}", (string)resource["PathPart"]!);
        AssertJson(GetAtt("Api", "RootResourceId"), resource["ParentId"]);
        Assert.Equal(RestApiSettings.ProxyResource, "/" + (string)resource["PathPart"]!);

        var methods = DeployFiles.ResourcesOfType("AWS::ApiGateway::Method").Select(m => m.Value["Properties"]!.AsObject()).ToList();
        Assert.Contains(methods, m => (string)m["HttpMethod"]! == "ANY" && (bool)m["ApiKeyRequired"]!);
        // The stage root has one method: GET, the web page, without an API key (the page asks for it).
        var root = Assert.Single(methods, m => m["ResourceId"]!.ToJsonString() == GetAtt("Api", "RootResourceId").ToJsonString());
        Assert.Equal("GET", (string)root["HttpMethod"]!);
        Assert.False((bool)root["ApiKeyRequired"]!);
        Assert.All(methods, m =>
        {
            if (m == root) AssertJson(GetAtt("Api", "RootResourceId"), m["ResourceId"]);
            else AssertJson(Ref("ProxyResource"), m["ResourceId"]);
            Assert.Equal("AWS_PROXY", (string)m["Integration"]!["Type"]!);
            Assert.Equal("POST", (string)m["Integration"]!["IntegrationHttpMethod"]!);
            Assert.Equal("arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Function.Arn}/invocations",
                (string)m["Integration"]!["Uri"]!["Fn::Sub"]!);
        });

        var permission = DeployFiles.Properties("ApiInvokePermission");
        Assert.Equal("lambda:InvokeFunction", (string)permission["Action"]!);
        Assert.Equal("apigateway.amazonaws.com", (string)permission["Principal"]!);
        AssertJson(GetAtt("Function", "Arn"), permission["FunctionName"]);
        Assert.Contains("${Api}/", (string)permission["SourceArn"]!["Fn::Sub"]!);
    }

    [Fact]
    public void DeploysAStageBehindAnApiKeyAndAThrottledUsagePlan()
    {
        var deploymentDependsOn = DeployFiles.Resource("Deployment")["DependsOn"]!.AsArray().Select(d => (string)d!).ToList();
        Assert.Equal(DeployFiles.ResourcesOfType("AWS::ApiGateway::Method").Select(m => m.Key).Order(), deploymentDependsOn.Order());

        var stage = DeployFiles.Properties("Stage");
        AssertJson(Ref("Deployment"), stage["DeploymentId"]);
        AssertJson(Ref("StageName"), stage["StageName"]);
        Assert.Equal(new RestApiSettings().Stage, (string)DeployFiles.Template["Parameters"]!["StageName"]!["Default"]!);

        var plan = DeployFiles.Properties("UsagePlan");
        var apiStage = Assert.Single(plan["ApiStages"]!.AsArray())!;
        AssertJson(Ref("Api"), apiStage["ApiId"]);
        AssertJson(Ref("Stage"), apiStage["Stage"]);
        Assert.NotNull(plan["Throttle"]!["RateLimit"]);
        Assert.NotNull(plan["Throttle"]!["BurstLimit"]);

        var planKey = DeployFiles.Properties("UsagePlanKey");
        AssertJson(Ref("ApiKey"), planKey["KeyId"]);
        AssertJson(Ref("UsagePlan"), planKey["UsagePlanId"]);
        Assert.Equal("API_KEY", (string)planKey["KeyType"]!);
        Assert.True((bool)DeployFiles.Properties("ApiKey")["Enabled"]!);
    }

    [Fact]
    public void KeepsUploadsInAPrivateEncryptedBucketThatForgetsThemAfterADay()
    {
        var bucket = DeployFiles.Properties("UploadBucket");

        var sse = Assert.Single(bucket["BucketEncryption"]!["ServerSideEncryptionConfiguration"]!.AsArray())!;
        Assert.Equal("AES256", (string)sse["ServerSideEncryptionByDefault"]!["SSEAlgorithm"]!);
        var block = bucket["PublicAccessBlockConfiguration"]!.AsObject();
        Assert.Equal(["BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"], block.Select(p => p.Key).Order());
        Assert.All(block, p => Assert.True((bool)p.Value!));
        Assert.Equal("BucketOwnerEnforced", (string)Assert.Single(bucket["OwnershipControls"]!["Rules"]!.AsArray())!["ObjectOwnership"]!);

        var rule = Assert.Single(bucket["LifecycleConfiguration"]!["Rules"]!.AsArray())!;
        Assert.Equal("Enabled", (string)rule["Status"]!);
        Assert.Equal(UploadKey.Prefix, (string)rule["Prefix"]!);
        Assert.Equal(1, (long)rule["ExpirationInDays"]!);

        var tlsOnly = Assert.Single(DeployFiles.Properties("UploadBucketPolicy")["PolicyDocument"]!["Statement"]!.AsArray())!;
        Assert.Equal("Deny", (string)tlsOnly["Effect"]!);
        Assert.Equal("false", (string)tlsOnly["Condition"]!["Bool"]!["aws:SecureTransport"]!);
    }

    [Fact]
    public void LetsBrowsersPostTheUploadFormAcrossOrigins()
    {
        var cors = Assert.Single(DeployFiles.Properties("UploadBucket")["CorsConfiguration"]!["CorsRules"]!.AsArray())!;

        Assert.Contains("POST", cors["AllowedMethods"]!.AsArray().Select(m => (string)m!));
        Assert.Contains("PUT", cors["AllowedMethods"]!.AsArray().Select(m => (string)m!));
        AssertJson(new JsonArray("*"), cors["AllowedHeaders"]);
        Assert.Equal((string)FunctionProperties["Environment"]!["Variables"]!["XRAY_CORS_ORIGIN"]!, (string)Assert.Single(cors["AllowedOrigins"]!.AsArray())!);
    }

    [Fact]
    public void RoutesTheFunctionsSubnetsToS3ThroughAGatewayEndpointBeforeItStarts()
    {
        var endpoint = DeployFiles.Properties("S3GatewayEndpoint");

        Assert.Equal("AWS::EC2::VPCEndpoint", (string)DeployFiles.Resource("S3GatewayEndpoint")["Type"]!);
        Assert.Equal("Gateway", (string)endpoint["VpcEndpointType"]!);
        Assert.Equal("com.amazonaws.${AWS::Region}.s3", (string)endpoint["ServiceName"]!["Fn::Sub"]!);
        AssertJson(Ref("VpcId"), endpoint["VpcId"]);
        AssertJson(Ref("RouteTableIds"), endpoint["RouteTableIds"]);
        Assert.Equal("CommaDelimitedList", (string)DeployFiles.Template["Parameters"]!["RouteTableIds"]!["Type"]!);
        Assert.Contains("S3GatewayEndpoint", DeployFiles.Resource("Function")["DependsOn"]!.AsArray().Select(d => (string)d!));
    }

    [Fact]
    public void TellsTheFunctionItsUploadBucketAndTheCapS3Enforces()
    {
        var variables = FunctionProperties["Environment"]!["Variables"]!;

        AssertJson(Ref("UploadBucket"), variables[UploadBucketSettings.BucketVariable]);
        AssertJson(Ref("MaxUploadBytes"), variables[UploadBucketSettings.MaxUploadBytesVariable]);
        var cap = DeployFiles.Template["Parameters"]!["MaxUploadBytes"]!;
        Assert.Equal(UploadBucketSettings.DefaultMaxUploadBytes, (long)cap["Default"]!);
        Assert.Equal(UploadBucketSettings.LargestMaxUploadBytes, (long)cap["MaxValue"]!);
        Assert.False(variables.AsObject().ContainsKey(UploadBucketSettings.EndpointVariable), "AWS needs no endpoint override");
    }

    [Fact]
    public void AnswersARequestOverLambdasEventLimitWithTheUploadPathAndJpegLossless()
    {
        var response = DeployFiles.Properties("RequestTooLargeResponse");

        Assert.Equal("AWS::ApiGateway::GatewayResponse", (string)DeployFiles.Resource("RequestTooLargeResponse")["Type"]!);
        Assert.Equal("REQUEST_TOO_LARGE", (string)response["ResponseType"]!);
        Assert.Equal("413", (string)response["StatusCode"]!);
        Assert.Equal("'application/problem+json'", (string)response["ResponseParameters"]!["gatewayresponse.header.Content-Type"]!);
        // API Gateway fills in $context.requestId; everything else is the function's own answer, as serve gives it.
        string expected = Function.Http.EventLimit.GatewayResponseBody("$context.requestId");
        string template = (string)response["ResponseTemplates"]!["application/json"]!;
        Assert.True(expected == template, $"the template's body should be (YAML single-quoted): '{expected.Replace("'", "''")}'");
        var problem = JsonDocument.Parse(template).RootElement;
        Assert.Contains("POST …/uploads", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains("1.2.840.10008.1.2.4.70", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void ExposesTheResultsDestinationWithItsAuthorizationHidden()
    {
        var variables = FunctionProperties["Environment"]!["Variables"]!;
        var parameters = DeployFiles.Template["Parameters"]!;

        AssertJson(Ref("ResultsStowUrl"), variables[ResultsDestinationSettings.UrlVariable]);
        AssertJson(Ref("ResultsStowAuthorization"), variables[ResultsDestinationSettings.AuthorizationVariable]);
        Assert.True((bool)parameters["ResultsStowAuthorization"]!["NoEcho"]!);
        Assert.Equal("", (string)parameters["ResultsStowUrl"]!["Default"]!);
        // The function is in a VPC for EFS: the parameter says which network path the PACS needs.
        string description = (string)parameters["ResultsStowUrl"]!["Description"]!;
        Assert.Contains("NAT gateway", description, StringComparison.Ordinal);
        Assert.Contains("Direct Connect", description, StringComparison.Ordinal);
        Assert.Matches((string)parameters["ResultsStowUrl"]!["AllowedPattern"]!, "https://pacs.example.org/dicom-web");
    }
}
