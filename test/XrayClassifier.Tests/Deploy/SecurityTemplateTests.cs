using System.Text.Json;
using System.Text.Json.Nodes;
using XrayClassifier.Function.Configuration;
using XrayClassifier.Tests.TestHelpers;

namespace XrayClassifier.Tests.Deploy;

/// <summary>
/// The template's security options (README "Security review"), each combination linted by npm's cfn-lint as CloudFormation
/// resolves it (deploy/validate-template.js --each) and held to the review's invariants: the function's role has no
/// wildcard, a private API has no public way in, every log group expires, the customer key is used wherever it is
/// asked for, the authorizer is the one chosen, and signed code is enforced.
/// </summary>
public class SecurityTemplateTests
{
    private const string InvokerArn = "arn:aws:iam::123456789012:role/pacs-gateway";
    private const string KeyArn = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    private const string SignerArn = "arn:aws:signer:eu-west-1:123456789012:/signing-profiles/xray_classifier/a1B2c3D4e5";
    private const string EntraIssuer = "https://login.microsoftonline.com/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0/v2.0";
    private const string ArchiveBucket = "radiology-archive";
    private const string ArchiveKeyArn = "arn:aws:kms:eu-west-1:123456789012:key/9f8e7d6c-5b4a-4321-8765-0fedcba98765";

    public sealed record Variant(Dictionary<string, string> Parameters, bool Valid, string Errors, JsonObject? Deployed)
    {
        public string P(string name) => Parameters[name];
        public override string ToString() => string.Join(" ", Parameters.Where(p => Options.Contains(p.Key)).Select(p => $"{p.Key}={p.Value}"));
    }

    private static readonly string[] Options =
        ["EndpointType", "Authorizer", "OidcIssuerUrl", "OidcAudience", "DataKmsKey", "UploadBucketAccessLogs", "SignerProfileVersionArn", "ArchiveBucketName", "ArchiveBucketKmsKey"];

    /// <summary>Every combination of the options: 2 endpoint types × 5 ways in (API key, IAM, a user pool with or
    /// without a federated issuer, an external issuer's JWT) × 3 key choices × access logs on/off × code signing on/off
    /// × 3 archive choices (none, an SSE-S3 archive bucket, an SSE-KMS one with a key of its own) = 360.</summary>
    private static IEnumerable<Dictionary<string, string>> Combinations()
    {
        var ways = new[]
        {
            new Dictionary<string, string> { ["Authorizer"] = "API_KEY" },
            new Dictionary<string, string> { ["Authorizer"] = "AWS_IAM", ["InvokerPrincipalArn"] = InvokerArn },
            new Dictionary<string, string> { ["Authorizer"] = "COGNITO_USER_POOLS" },
            new Dictionary<string, string>
            {
                ["Authorizer"] = "COGNITO_USER_POOLS", ["OidcIssuerUrl"] = EntraIssuer,
                ["OidcClientId"] = "6e1a9c44-2f0b-4d8e-9a57-3c2b1d0e8f71", ["OidcClientSecret"] = "not-a-real-secret",
            },
            new Dictionary<string, string>
            {
                ["Authorizer"] = "JWT", ["OidcIssuerUrl"] = EntraIssuer, ["OidcAudience"] = "6e1a9c44-2f0b-4d8e-9a57-3c2b1d0e8f71",
                ["OidcRequiredRole"] = "Classify.Invoke",
            },
        };
        foreach (var endpoint in new[] { "REGIONAL", "PRIVATE" })
            foreach (var way in ways)
                foreach (var key in new[] { "", "create", KeyArn })
                    foreach (var accessLogs in new[] { "true", "false" })
                        foreach (var signer in new[] { "", SignerArn })
                            foreach (var (archive, archiveKey) in new[] { ("", ""), (ArchiveBucket, ""), (ArchiveBucket, ArchiveKeyArn) })
                                yield return new Dictionary<string, string>(way)
                                {
                                    ["EndpointType"] = endpoint, ["DataKmsKey"] = key, ["UploadBucketAccessLogs"] = accessLogs,
                                    ["SignerProfileVersionArn"] = signer, ["ArchiveBucketName"] = archive, ["ArchiveBucketKmsKey"] = archiveKey,
                                };
    }

    private static readonly Lazy<IReadOnlyList<Variant>> s_variants = new(() => Lint(Combinations().ToList()));

    private static IReadOnlyList<Variant> Lint(IReadOnlyList<Dictionary<string, string>> sets)
    {
        using var temp = TestEnvironment.CreateTempDirectory("xray-variants");
        var file = temp.Combine("parameters.json");
        File.WriteAllText(file, JsonSerializer.Serialize(sets));
        // About 0.2 s of CPU per combination; minutes when the machine is shared with a full test run.
        var run = DeployFiles.RunValidator(TimeSpan.FromMinutes(10), DeployFiles.TemplatePath, "--each", file);
        Assert.True(run.ExitCode is 0 or 1, run.Stderr);
        var results = JsonNode.Parse(run.Stdout)!.AsArray();
        Assert.Equal(sets.Count, results.Count);
        return results.Select(r => new Variant(
            r!["parameters"]!.AsObject().ToDictionary(p => p.Key, p => (string)p.Value!),
            (bool)r["templateValid"]! && r["errors"]!["warn"]!.AsArray().Count == 0,
            r["errors"]!.ToJsonString(),
            r["resolved"]?.AsObject())).ToList();
    }

    private static IReadOnlyList<Variant> Variants => s_variants.Value;

    private static JsonNode Ref(string name) => new JsonObject { ["Ref"] = name };
    private static JsonNode GetAtt(string resource, string attribute) => new JsonObject { ["Fn::GetAtt"] = new JsonArray(resource, attribute) };
    private static void AssertJson(JsonNode? expected, JsonNode? actual, Variant v) =>
        Assert.True(JsonNode.DeepEquals(expected, actual), $"{v}: expected {expected?.ToJsonString()}, got {actual?.ToJsonString()}");
    private static JsonObject Props(Variant v, string id) => DeployFiles.Resource(v.Deployed!, id)["Properties"]!.AsObject();
    private static bool Has(Variant v, string id) => v.Deployed!["Resources"]!.AsObject().ContainsKey(id);
    private static IEnumerable<string> Strings(JsonNode? node) =>
        node is JsonArray a ? a.Select(x => x!.ToJsonString().Trim('"')) : node is null ? [] : [node.ToJsonString().Trim('"')];

    [Fact]
    public void LintsEveryOptionCombinationWithoutAnError()
    {
        Assert.Equal(360, Variants.Count);
        Assert.All(Variants, v => Assert.True(v.Valid, $"{v}: {v.Errors}"));
        // The defaults are the safe choices: a regional API behind an API key (today's), AWS-owned keys, access logs on.
        var p = DeployFiles.Template["Parameters"]!;
        Assert.Equal("REGIONAL", (string)p["EndpointType"]!["Default"]!);
        Assert.Equal("API_KEY", (string)p["Authorizer"]!["Default"]!);
        Assert.Equal("true", (string)p["UploadBucketAccessLogs"]!["Default"]!);
        Assert.Equal(Enum.GetNames<ApiAuthorizer>(), p["Authorizer"]!["AllowedValues"]!.AsArray().Select(a => (string)a!));
    }

    [Theory]
    [InlineData("Authorizer=AWS_IAM", "IamNamesTheInvoker")]
    [InlineData("OidcIssuerUrl=https://login.microsoftonline.com/0b1c2d3e/v2.0", "FederationNamesItsClient")]
    [InlineData("Authorizer=JWT", "JwtNamesIssuerAndAudience")]
    public void RefusesAnAuthorizerWithoutWhoItAdmits(string parameter, string rule)
    {
        var run = DeployFiles.RunValidator(DeployFiles.TemplatePath, "--parameter", parameter);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains($"rule {rule}", run.Stdout);
    }

    [Fact]
    public void GrantsTheFunctionNoWildcardActionAndNoUnscopedResourceBeyondEc2sDescribeCalls()
    {
        Assert.All(Variants, v =>
        {
            var role = Props(v, "FunctionRole");
            Assert.False(role.ContainsKey("ManagedPolicyArns"), v.ToString());
            // No other policy resource attaches to the function's role, but the archive bucket's, with an archive bucket.
            var attached = new[] { "AWS::IAM::Policy", "AWS::IAM::ManagedPolicy" }.SelectMany(type => DeployFiles.ResourcesOfType(v.Deployed!, type))
                .Where(r => r.Value["Properties"]!.ToJsonString().Contains("FunctionRole")).ToList();
            Assert.Equal(v.P("ArchiveBucketName") == "" ? [] : ["ArchiveAccessPolicy"], attached.Select(r => r.Key));
            var statements = role["Policies"]!.AsArray().Append(attached.Select(r => r.Value["Properties"]!).SingleOrDefault())
                .Where(p => p is not null).SelectMany(p => p!["PolicyDocument"]!["Statement"]!.AsArray()).Select(s => s!.AsObject()).ToList();
            Assert.All(statements, s =>
            {
                Assert.Equal("Allow", (string)s["Effect"]!);
                Assert.False(s.ContainsKey("NotAction") || s.ContainsKey("NotResource"), $"{v}: {s.ToJsonString()}");
                var actions = Strings(s["Action"]).ToList();
                Assert.All(actions, a => Assert.DoesNotContain("*", a));
                if (Strings(s["Resource"]).Contains("*"))
                    Assert.Equal(["ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets"], actions.Order());
            });
        });
    }

    [Fact]
    public void APrivateApiIsReachableOnlyThroughItsVpcEndpoint()
    {
        Assert.All(Variants, v =>
        {
            var api = Props(v, "Api");
            var types = api["EndpointConfiguration"]!["Types"]!.AsArray().Select(t => (string)t!).ToList();
            // No other way in: one REST API, no HTTP API, no custom domain.
            Assert.Single(DeployFiles.ResourcesOfType(v.Deployed!, "AWS::ApiGateway::RestApi"));
            Assert.Empty(DeployFiles.ResourcesOfType(v.Deployed!, "AWS::ApiGatewayV2::Api"));
            Assert.Empty(DeployFiles.ResourcesOfType(v.Deployed!, "AWS::ApiGateway::DomainName"));
            if (v.P("EndpointType") == "REGIONAL")
            {
                Assert.Equal(["REGIONAL"], types);
                Assert.False(Has(v, "ExecuteApiEndpoint"));
                return;
            }
            Assert.Equal(["PRIVATE"], types);
            var endpoint = Props(v, "ExecuteApiEndpoint");
            Assert.Equal("Interface", (string)endpoint["VpcEndpointType"]!);
            Assert.True((bool)endpoint["PrivateDnsEnabled"]!);
            Assert.Equal("com.amazonaws.${AWS::Region}.execute-api", (string)endpoint["ServiceName"]!["Fn::Sub"]!);
            AssertJson(Props(v, "Function")["VpcConfig"]!["SubnetIds"], endpoint["SubnetIds"], v);
            var ingress = Assert.Single(Props(v, "ExecuteApiEndpointSecurityGroup")["SecurityGroupIngress"]!.AsArray())!;
            Assert.Equal(443, (long)ingress["FromPort"]!);
            AssertJson(Ref("PrivateApiClientCidr"), ingress["CidrIp"], v);
            // Whatever else the policy allows, this Deny (which no Allow overrides) refuses every request not through the endpoint.
            var deny = Assert.Single(api["Policy"]!["Statement"]!.AsArray(), s => (string?)s!["Sid"] == "OnlyThroughTheVpcEndpoint")!;
            Assert.Equal("Deny", (string)deny["Effect"]!);
            Assert.Equal("*", (string)deny["Principal"]!);
            Assert.Equal("execute-api:Invoke", (string)deny["Action"]!);
            Assert.Equal("execute-api:/*", (string)deny["Resource"]!);
            AssertJson(Ref("ExecuteApiEndpoint"), deny["Condition"]!["StringNotEquals"]!["aws:SourceVpce"], v);
        });
    }

    [Fact]
    public void KeepsEveryLogGroupForLogRetentionInDaysAndLogsEveryApiRequestWithTheFunctionsRequestId()
    {
        Assert.All(Variants, v =>
        {
            var groups = DeployFiles.ResourcesOfType(v.Deployed!, "AWS::Logs::LogGroup").ToList();
            // Every log group, whoever adds one: these two and any other.
            Assert.Contains(groups, g => g.Key == "ApiAccessLogGroup");
            Assert.Contains(groups, g => g.Key == "FunctionLogGroup");
            Assert.All(groups, g => AssertJson(Ref("LogRetentionInDays"), g.Value["Properties"]!["RetentionInDays"], v));

            var access = Props(v, "Stage")["AccessLogSetting"]!;
            AssertJson(GetAtt("ApiAccessLogGroup", "Arn"), access["DestinationArn"], v);
            // A JSON line per request whose requestId is API Gateway's, the one the function logs (RequestHandler takes
            // requestContext.requestId, the same $context.requestId) and answers in X-Request-Id.
            var format = JsonNode.Parse((string)access["Format"]!)!.AsObject();
            Assert.Equal("$context.requestId", (string)format["requestId"]!);
            Assert.Equal("$context.authorizer.claims.sub", (string)format["sub"]!);
            Assert.Equal("$context.identity.userArn", (string)format["userArn"]!);
            // The stage waits for the account's logging role, which the stack sets by default (SetApiGatewayLoggingRole).
            Assert.Contains("ApiGatewayLoggingRoleReady", DeployFiles.Resource(v.Deployed!, "Stage")["DependsOn"]!.AsArray().Select(d => (string)d!));
            AssertJson(Ref("ApiGatewayAccount"), DeployFiles.Resource(v.Deployed!, "ApiGatewayLoggingRoleReady")["Metadata"]!["LoggingRole"], v);

            if (v.P("UploadBucketAccessLogs") == "true")
            {
                AssertJson(Ref("UploadAccessLogBucket"), Props(v, "UploadBucket")["LoggingConfiguration"]!["DestinationBucketName"], v);
                var rule = Assert.Single(Props(v, "UploadAccessLogBucket")["LifecycleConfiguration"]!["Rules"]!.AsArray())!;
                AssertJson(Ref("LogRetentionInDays"), rule["ExpirationInDays"], v);
            }
            else
            {
                Assert.False(Props(v, "UploadBucket").ContainsKey("LoggingConfiguration"));
                Assert.False(Has(v, "UploadAccessLogBucket"));
            }
        });
    }

    [Fact]
    public void EncryptsWithTheCustomerKeyWhereverOneIsAskedForAndGrantsTheRoleOnlyS3sUseOfIt()
    {
        Assert.All(Variants, v =>
        {
            var key = v.P("DataKmsKey") switch { "" => null, "create" => GetAtt("DataKey", "Arn"), _ => Ref("DataKmsKey") };
            var sse = Props(v, "UploadBucket")["BucketEncryption"]!["ServerSideEncryptionConfiguration"]![0]!;
            var kmsStatements = Props(v, "FunctionRole")["Policies"]!.AsArray()
                .SelectMany(p => p!["PolicyDocument"]!["Statement"]!.AsArray())
                .Where(s => Strings(s!["Action"]).Any(a => a.StartsWith("kms:", StringComparison.Ordinal))).ToList();
            var logGroups = DeployFiles.ResourcesOfType(v.Deployed!, "AWS::Logs::LogGroup").Select(g => g.Value["Properties"]!).ToList();
            if (key is null)
            {
                Assert.False(Props(v, "FileSystem").ContainsKey("KmsKeyId"));
                Assert.Equal("AES256", (string)sse["ServerSideEncryptionByDefault"]!["SSEAlgorithm"]!);
                Assert.All(logGroups, g => Assert.False(g.AsObject().ContainsKey("KmsKeyId")));
                Assert.Empty(kmsStatements);
                Assert.False(Has(v, "DataKey"));
                return;
            }
            Assert.True((bool)Props(v, "FileSystem")["Encrypted"]!);
            AssertJson(key, Props(v, "FileSystem")["KmsKeyId"], v);
            Assert.Equal("aws:kms", (string)sse["ServerSideEncryptionByDefault"]!["SSEAlgorithm"]!);
            AssertJson(key, sse["ServerSideEncryptionByDefault"]!["KMSMasterKeyID"], v);
            Assert.True((bool)sse["BucketKeyEnabled"]!);
            Assert.All(logGroups, g => AssertJson(key, g["KmsKeyId"], v));
            var grant = Assert.Single(kmsStatements)!;
            Assert.Equal(["kms:Decrypt", "kms:GenerateDataKey"], Strings(grant["Action"]).Order());
            AssertJson(key, grant["Resource"], v);
            Assert.Equal("s3.${AWS::Region}.amazonaws.com", (string)grant["Condition"]!["StringEquals"]!["kms:ViaService"]!["Fn::Sub"]!);
            AssertJson(GetAtt("UploadBucket", "Arn"), grant["Condition"]!["StringEquals"]!["kms:EncryptionContext:aws:s3:arn"], v);
            if (v.P("DataKmsKey") == "create")
            {
                var created = Props(v, "DataKey");
                Assert.True((bool)created["EnableKeyRotation"]!);
                // Logs may use it only for this stack's log groups: the function's, the access log and the token authorizer's.
                var logs = Assert.Single(created["KeyPolicy"]!["Statement"]!.AsArray(), s => s!["Principal"]!["Service"] is not null)!;
                Assert.Equal(3, logs["Condition"]!["ArnLike"]!["kms:EncryptionContext:aws:logs:arn"]!.AsArray().Count);
            }
        });
    }

    [Fact]
    public void AdmitsOnlyTheChosenCredentialAndKeepsThePageOpen()
    {
        Assert.All(Variants, v =>
        {
            var methods = DeployFiles.ResourcesOfType(v.Deployed!, "AWS::ApiGateway::Method").ToDictionary(m => m.Key, m => m.Value["Properties"]!);
            var proxy = methods["ProxyMethod"];
            // The page and CORS preflights carry no data and need no credential under every authorizer.
            Assert.Equal("NONE", (string)methods["RootPageMethod"]["AuthorizationType"]!);
            Assert.Equal("NONE", (string)methods["ProxyOptionsMethod"]["AuthorizationType"]!);
            // The page asks for the credential the template chose (XrayOptions.ApiAuthorizer).
            AssertJson(Ref("Authorizer"), Props(v, "Function")["Environment"]!["Variables"]!["XRAY_API_AUTHORIZER"], v);
            var statements = Props(v, "Api")["Policy"]?["Statement"]!.AsArray() ?? [];
            switch (v.P("Authorizer"))
            {
                case "API_KEY":
                    Assert.Equal("NONE", (string)proxy["AuthorizationType"]!);
                    Assert.True((bool)proxy["ApiKeyRequired"]!);
                    Assert.True(Has(v, "UsagePlan") && Has(v, "ApiKey") && Has(v, "UsagePlanKey"));
                    break;
                case "AWS_IAM":
                    Assert.Equal("AWS_IAM", (string)proxy["AuthorizationType"]!);
                    Assert.False((bool)proxy["ApiKeyRequired"]!);
                    Assert.False(Has(v, "ApiKey"));
                    var allow = Assert.Single(statements, s => (string?)s!["Sid"] == "TheInvokerOnThisStage")!;
                    AssertJson(Ref("InvokerPrincipalArn"), allow["Principal"]!["AWS"], v);
                    Assert.Equal("execute-api:Invoke", (string)allow["Action"]!);
                    Assert.Equal("execute-api:/${StageName}/*", (string)allow["Resource"]!["Fn::Sub"]!);
                    var nobodyElse = Assert.Single(statements, s => (string?)s!["Sid"] == "NobodyElse")!;
                    Assert.Equal("Deny", (string)nobodyElse["Effect"]!);
                    AssertJson(Ref("InvokerPrincipalArn"), nobodyElse["Condition"]!["StringNotEquals"]!["aws:PrincipalArn"], v);
                    Assert.Equal(["execute-api:/${StageName}/GET/", "execute-api:/${StageName}/OPTIONS/*"],
                        nobodyElse["NotResource"]!.AsArray().Select(r => (string)r!["Fn::Sub"]!));
                    break;
                case "COGNITO_USER_POOLS":
                    Assert.Equal("COGNITO_USER_POOLS", (string)proxy["AuthorizationType"]!);
                    AssertJson(Ref("CognitoAuthorizer"), proxy["AuthorizerId"], v);
                    Assert.False((bool)proxy["ApiKeyRequired"]!);
                    var authorizer = Props(v, "CognitoAuthorizer");
                    Assert.Equal("method.request.header.Authorization", (string)authorizer["IdentitySource"]!);
                    AssertJson(new JsonArray(GetAtt("UserPool", "Arn")), authorizer["ProviderARNs"], v);
                    Assert.True((bool)Props(v, "UserPool")["AdminCreateUserConfig"]!["AllowAdminCreateUserOnly"]!);
                    var providers = Props(v, "UserPoolClient")["SupportedIdentityProviders"]!.AsArray();
                    if (v.P("OidcIssuerUrl") == "")
                    {
                        Assert.False(Has(v, "OidcIdentityProvider"));
                        Assert.Equal(["COGNITO"], providers.Select(p => (string)p!));
                    }
                    else
                    {
                        var idp = Props(v, "OidcIdentityProvider");
                        Assert.Equal("OIDC", (string)idp["ProviderType"]!);
                        AssertJson(Ref("OidcIssuerUrl"), idp["ProviderDetails"]!["oidc_issuer"], v);
                        AssertJson(Ref("OidcClientId"), idp["ProviderDetails"]!["client_id"], v);
                        AssertJson(new JsonArray(Ref("OidcIdentityProvider")), providers, v);
                    }
                    break;
                case "JWT":
                    // A Lambda TOKEN authorizer of this stack's, on the Authorization header, its answers cached.
                    Assert.Equal("CUSTOM", (string)proxy["AuthorizationType"]!);
                    AssertJson(Ref("TokenAuthorizer"), proxy["AuthorizerId"], v);
                    Assert.False((bool)proxy["ApiKeyRequired"]!);
                    var token = Props(v, "TokenAuthorizer");
                    Assert.Equal("TOKEN", (string)token["Type"]!);
                    Assert.Equal("method.request.header.Authorization", (string)token["IdentitySource"]!);
                    Assert.InRange((int)token["AuthorizerResultTtlInSeconds"]!, 1, 3600);
                    Assert.Contains("${TokenAuthorizerFunction.Arn}", (string)token["AuthorizerUri"]!["Fn::Sub"]!);
                    Assert.False(Has(v, "UserPool") || Has(v, "CognitoAuthorizer"));
                    break;
                default:
                    throw new Xunit.Sdk.XunitException($"{v}: no assertions for this authorizer");
            }
            if (v.P("Authorizer") != "API_KEY")
                Assert.Empty(DeployFiles.ResourcesOfType(v.Deployed!, "AWS::ApiGateway::UsagePlanKey"));
        });
    }

    [Fact]
    public void EnforcesTheSignerProfileWhenOneIsGiven()
    {
        Assert.All(Variants, v =>
        {
            var function = Props(v, "Function");
            if (v.P("SignerProfileVersionArn") == "")
            {
                Assert.False(function.ContainsKey("CodeSigningConfigArn"));
                Assert.False(Has(v, "CodeSigningConfig"));
                return;
            }
            AssertJson(GetAtt("CodeSigningConfig", "CodeSigningConfigArn"), function["CodeSigningConfigArn"], v);
            var config = Props(v, "CodeSigningConfig");
            Assert.Equal("Enforce", (string)config["CodeSigningPolicies"]!["UntrustedArtifactOnDeployment"]!);
            AssertJson(new JsonArray(Ref("SignerProfileVersionArn")), config["AllowedPublishers"]!["SigningProfileVersionArns"], v);
        });
    }

    /// <summary>An archive bucket encrypted with SSE-KMS: each principal that reads or writes it (the function, S3 Batch
    /// Operations, the Distributed Map) may use that bucket's key, named, only through S3 and only for the bucket or its
    /// own prefixes; without the key, or without an archive, no archive KMS grant at all.</summary>
    [Fact]
    public void GrantsTheArchiveBucketsKeyToEachArchivePrincipalForItsOwnPrefixesOnly()
    {
        var bucket = "arn:${AWS::Partition}:s3:::${ArchiveBucketName}";
        var prefixes = new Dictionary<string, (string Policy, string[] Objects)>
        {
            ["ArchiveAccessPolicy"] = ("ArchiveAccessPolicy", ["${ArchiveSourcePrefix}*", "${ArchiveInboxPrefix}*", "${ArchiveResultsPrefix}*"]),
            ["BatchOperationsRole"] = ("BatchOperationsRole", ["${ArchiveJobsPrefix}manifests/*", "${ArchiveJobsPrefix}reports/*"]),
            ["ArchiveStateMachineRole"] = ("ArchiveStateMachineRole", ["${ArchiveJobsPrefix}map-runs/*"]),
        };
        Assert.All(Variants, v =>
        {
            var archiveKeyGrants = DeployFiles.ResourcesOfType(v.Deployed!, "AWS::IAM::Policy").Concat(DeployFiles.ResourcesOfType(v.Deployed!, "AWS::IAM::Role"))
                .SelectMany(r => (r.Value["Properties"]!["PolicyDocument"] is { } doc ? [doc] : r.Value["Properties"]!["Policies"]?.AsArray().Select(p => p!["PolicyDocument"]!) ?? [])
                    .SelectMany(d => d["Statement"]!.AsArray()).Select(s => (r.Key, Statement: s!)))
                .Where(x => JsonNode.DeepEquals(x.Statement["Resource"], Ref("ArchiveBucketKmsKey"))).ToList();
            if (v.P("ArchiveBucketName") == "" || v.P("ArchiveBucketKmsKey") == "")
            {
                Assert.Empty(archiveKeyGrants);
                // Nor may anything else read the archive key parameter.
                Assert.DoesNotContain("ArchiveBucketKmsKey", v.Deployed!["Resources"]!.ToJsonString());
                return;
            }
            Assert.Equal(prefixes.Keys.Order(), archiveKeyGrants.Select(g => g.Key).Order());
            foreach (var (owner, grant) in archiveKeyGrants)
            {
                Assert.Equal("Allow", (string)grant["Effect"]!);
                Assert.Equal(["kms:Decrypt", "kms:GenerateDataKey"], Strings(grant["Action"]).Order());
                Assert.Equal("s3.${AWS::Region}.amazonaws.com", (string)grant["Condition"]!["StringEquals"]!["kms:ViaService"]!["Fn::Sub"]!);
                var contexts = grant["Condition"]!["StringLike"]!["kms:EncryptionContext:aws:s3:arn"]!.AsArray().Select(c => (string)c!["Fn::Sub"]!);
                Assert.Equal([bucket, .. prefixes[owner].Objects.Select(o => $"{bucket}/{o}")], contexts);
            }
        });
    }

    [Fact]
    public void RefusesAnArchiveKeyWithoutItsBucket()
    {
        var run = DeployFiles.RunValidator(DeployFiles.TemplatePath, "--parameter", $"ArchiveBucketKmsKey={ArchiveKeyArn}");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("rule ArchiveKeyNeedsItsBucket", run.Stdout);
    }

    /// <summary>SetApiGatewayLoggingRole 'false': the account-wide API Gateway logging role, which other APIs of the
    /// account and region share, is left as it is; the stage still writes its access log with it.</summary>
    [Fact]
    public void LeavesTheAccountsApiGatewayLoggingRoleAloneWhenAsked()
    {
        Assert.Equal("true", (string)DeployFiles.Template["Parameters"]!["SetApiGatewayLoggingRole"]!["Default"]!);
        var v = Assert.Single(Lint([new() { ["SetApiGatewayLoggingRole"] = "false" }]));

        Assert.True(v.Valid, v.Errors);
        Assert.False(Has(v, "ApiGatewayAccount"));
        Assert.False(Has(v, "ApiGatewayCloudWatchRole"));
        Assert.Empty(DeployFiles.ResourcesOfType(v.Deployed!, "AWS::ApiGateway::Account"));
        Assert.Contains("ApiGatewayLoggingRoleReady", DeployFiles.Resource(v.Deployed!, "Stage")["DependsOn"]!.AsArray().Select(d => (string)d!));
        AssertJson(GetAtt("ApiAccessLogGroup", "Arn"), Props(v, "Stage")["AccessLogSetting"]!["DestinationArn"], v);
    }

    [Fact]
    public void TheTokenAuthorizerIsAFunctionWithoutNetworkOrFileSystemWhoseRoleOnlyWritesItsLogAndOnlyThisApiMayInvoke()
    {
        Assert.All(Variants, v =>
        {
            string[] parts = ["TokenAuthorizer", "TokenAuthorizerFunction", "TokenAuthorizerRole", "TokenAuthorizerLogGroup", "TokenAuthorizerInvokePermission",
                "TokenAuthorizerFailureResponse", "TokenAuthorizerConfigurationResponse"];
            if (v.P("Authorizer") != "JWT")
            {
                Assert.All(parts, p => Assert.False(Has(v, p), $"{v}: {p}"));
                return;
            }
            var function = Props(v, "TokenAuthorizerFunction");
            // Same code as the classifier (and signed as it is), none of its reach: no VPC, no EFS, no bucket.
            AssertJson(Props(v, "Function")["Code"], function["Code"], v);
            Assert.Equal("provided.al2023", (string)function["Runtime"]!);
            Assert.False(function.ContainsKey("VpcConfig") || function.ContainsKey("FileSystemConfigs"), v.ToString());
            AssertJson(Ref("OidcIssuerUrl"), function["Environment"]!["Variables"]!["XRAY_OIDC_ISSUER"], v);
            AssertJson(Ref("OidcAudience"), function["Environment"]!["Variables"]!["XRAY_OIDC_AUDIENCE"], v);
            AssertJson(Ref("OidcRequiredRole"), function["Environment"]!["Variables"]!["XRAY_OIDC_REQUIRED_ROLE"], v);
            if (v.P("SignerProfileVersionArn") != "")
                AssertJson(GetAtt("CodeSigningConfig", "CodeSigningConfigArn"), function["CodeSigningConfigArn"], v);
            AssertJson(GetAtt("TokenAuthorizerRole", "Arn"), function["Role"], v);

            var role = Props(v, "TokenAuthorizerRole");
            Assert.False(role.ContainsKey("ManagedPolicyArns"), v.ToString());
            var statement = Assert.Single(role["Policies"]!.AsArray().SelectMany(p => p!["PolicyDocument"]!["Statement"]!.AsArray()))!;
            Assert.Equal(["logs:CreateLogStream", "logs:PutLogEvents"], Strings(statement["Action"]).Order());
            AssertJson(GetAtt("TokenAuthorizerLogGroup", "Arn"), statement["Resource"], v);
            Assert.Equal("/aws/lambda/${FunctionName}-authorizer", (string)Props(v, "TokenAuthorizerLogGroup")["LogGroupName"]!["Fn::Sub"]!);
            Assert.Equal("${FunctionName}-authorizer", (string)function["FunctionName"]!["Fn::Sub"]!);

            var permission = Props(v, "TokenAuthorizerInvokePermission");
            Assert.Equal("apigateway.amazonaws.com", (string)permission["Principal"]!);
            AssertJson(GetAtt("TokenAuthorizerFunction", "Arn"), permission["FunctionName"], v);
            Assert.Equal("arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${Api}/authorizers/${TokenAuthorizer}",
                (string)permission["SourceArn"]!["Fn::Sub"]!);

            // A token that could not be checked is answered 503 with a problem, not API Gateway's bare 500.
            foreach (var (id, type) in new[] { ("TokenAuthorizerFailureResponse", "AUTHORIZER_FAILURE"), ("TokenAuthorizerConfigurationResponse", "AUTHORIZER_CONFIGURATION_ERROR") })
            {
                var response = Props(v, id);
                Assert.Equal(type, (string)response["ResponseType"]!);
                Assert.Equal("503", (string)response["StatusCode"]!);
                Assert.Equal("'application/problem+json'", (string)response["ResponseParameters"]!["gatewayresponse.header.Content-Type"]!);
            }
        });
    }
}
