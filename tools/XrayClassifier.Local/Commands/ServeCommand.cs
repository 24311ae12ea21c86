using System.CommandLine;
using XrayClassifier.Function.Configuration;
using XrayClassifier.Function.Http;
using XrayClassifier.Function.Uploads;
using XrayClassifier.Local.ApiGateway;
using XrayClassifier.Local.Hosting;

namespace XrayClassifier.Local.Commands;

/// <summary><c>serve</c>: the REST API emulator in front of the real handler until Ctrl+C.</summary>
internal static class ServeCommand
{
    public static Command Create(TextWriter log, IEnvironmentVariables environment)
    {
        var port = LocalOptions.WholeNumber("--port", 5050, 0, 65535, "The port on 127.0.0.1.");
        var stage = LocalOptions.Stage();
        var resource = LocalOptions.Resource();
        var efsRoot = LocalOptions.EfsRoot();
        var apiKey = new Option<string?>("--api-key") { Description = "Require this x-api-key, as a usage plan does." };
        var uploadBucket = new Option<string?>("--upload-bucket") { Description = "The S3 bucket for studies over 6 MB." };
        var s3Endpoint = new Option<string?>("--s3-endpoint") { Description = "A local S3-protocol server for the bucket." };
        var oidcIssuer = new Option<string?>("--oidc-issuer") { Description = "Admit only bearer JWTs of this OpenID Connect issuer (the template's Authorizer JWT: a TOKEN authorizer)." };
        var oidcAudience = new Option<string?>("--oidc-audience") { Description = "With --oidc-issuer, the audience its tokens must name." };
        var command = new Command("serve", "An API Gateway REST API in front of the real handler until Ctrl+C.")
        {
            port, stage, resource, efsRoot, apiKey, uploadBucket, s3Endpoint, oidcIssuer, oidcAudience,
        };
        command.SetAction((parsed, cancellationToken) => RunAsync(
            parsed.GetValue(port), parsed.GetValue(stage)!, parsed.GetValue(resource), parsed.GetValue(efsRoot), parsed.GetValue(apiKey),
            parsed.GetValue(uploadBucket), parsed.GetValue(s3Endpoint), parsed.GetValue(oidcIssuer), parsed.GetValue(oidcAudience), log, environment, cancellationToken));
        return command;
    }

    /// <summary>The API <c>serve</c> emulates: the one deploy/template.yaml builds (its REQUEST_TOO_LARGE answer included).</summary>
    internal static RestApiSettings Settings(string stage, string? apiKey, string? resource) =>
        new() { Stage = stage, ApiKey = apiKey, Resource = resource, RequestTooLargeBody = EventLimit.GatewayResponseBody };

    private static async Task<int> RunAsync(int port, string stage, string? resource, string? efsRoot, string? apiKey,
        string? uploadBucket, string? s3Endpoint, string? oidcIssuer, string? oidcAudience, TextWriter log, IEnvironmentVariables environment, CancellationToken cancellationToken)
    {
        // A stage name is one path segment of letters, digits, '-' and '_' (API Gateway's rule).
        if (stage.Length == 0 || stage.Length > 128 || !stage.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            throw new UsageException($"--stage '{stage}' must be letters, digits, '-' or '_'");
        // A resource path is '/' followed by segments of letters, digits, '-', '_' and '.' (no {proxy+} here).
        if (resource is not null && (resource.Length < 2 || resource[0] != '/' || !resource[1..].All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '/')))
            throw new UsageException($"--resource '{resource}' must be a path such as /xray");
        var local = LocalEnvironment.Resolve(efsRoot, environment).With(UploadVariables(uploadBucket, s3Endpoint));

        if ((oidcIssuer is null) != (oidcAudience is null)) throw new UsageException("--oidc-issuer and --oidc-audience go together");
        // Authorizer JWT: the page asks for a bearer token, and a second function (as the template's TokenAuthorizerFunction)
        // checks it before the classifier is invoked.
        if (oidcIssuer is not null) local = local.With(new Dictionary<string, string> { ["XRAY_API_AUTHORIZER"] = nameof(ApiAuthorizer.JWT) });
        using var authorizer = oidcIssuer is null ? null
            : LocalFunction.Create(local.With(new Dictionary<string, string> { [OidcIssuerSettings.IssuerVariable] = oidcIssuer, [OidcIssuerSettings.AudienceVariable] = oidcAudience! }));

        // The constructor is Lambda's INIT phase: it starts loading natives and model and never throws.
        using var function = LocalFunction.Create(local);
        var settings = Settings(stage, apiKey, resource) with { TokenAuthorizer = authorizer is null ? null : authorizer.FunctionHandler };
        var emulator = new RestApiEmulator(settings, function.FunctionHandler, log);

        EmulatorServer server;
        try
        {
            server = await EmulatorServer.StartAsync(emulator, port, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            // Kestrel reports a taken port as IOException (AddressInUseException inside).
            await log.WriteLineAsync($"error: cannot listen on 127.0.0.1:{port}: {e.Message}").ConfigureAwait(false);
            return LocalCli.ErrorAnswer;
        }
        await using (server.ConfigureAwait(false))
        {
            await log.WriteLineAsync(
                $"API Gateway REST API emulator: {(resource is null ? $"ANY {server.BaseAddress}{stage}/{{proxy+}}" : $"POST {server.BaseAddress}{stage}{resource}")} -> {typeof(XrayClassifier.Function.Function).FullName}.FunctionHandler" +
                $"{Environment.NewLine}EFS root: {local.EfsRoot}{Environment.NewLine}" +
                $"Try: curl --request POST -H \"Content-Type: image/jpg\" --upload-file samples/xray.jpg {server.BaseAddress}{stage}{resource ?? "/classify"}" +
                UploadsBanner(local, resource is null ? $"{server.BaseAddress}{stage}/uploads" : null) +
                $"{Environment.NewLine}Ctrl+C stops.").ConfigureAwait(false);

            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; stop.Cancel(); };
            Console.CancelKeyPress += onCancel;
            using var onTerm = System.Runtime.InteropServices.PosixSignalRegistration.Create(
                System.Runtime.InteropServices.PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
            try
            {
                await Task.Delay(Timeout.Infinite, stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) { }
            finally
            {
                Console.CancelKeyPress -= onCancel;
            }
        }
        return LocalCli.Success;
    }

    /// <summary>--s3-endpoint and --upload-bucket: the upload bucket on a local S3-protocol server (s3rver,
    /// MinIO, …), as XRAY_S3_ENDPOINT and XRAY_UPLOAD_BUCKET would set it. Credentials come from
    /// AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, as on Lambda.</summary>
    private static Dictionary<string, string> UploadVariables(string? uploadBucket, string? s3Endpoint)
    {
        var variables = new Dictionary<string, string>();
        if (s3Endpoint is { } endpoint)
        {
            if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
                throw new UsageException($"--s3-endpoint '{endpoint}' must be an http(s) URL such as http://127.0.0.1:4569");
            variables[UploadBucketSettings.EndpointVariable] = endpoint;
        }
        if (uploadBucket is { } bucket)
        {
            if (!UploadBucketSettings.IsBucketName(bucket)) throw new UsageException($"--upload-bucket '{bucket}' is not an S3 bucket name");
            variables[UploadBucketSettings.BucketVariable] = bucket;
        }
        return variables;
    }

    private static string UploadsBanner(LocalEnvironment local, string? uploadsUrl)
    {
        var settings = UploadBucketSettings.FromEnvironment(local);
        if (uploadsUrl is null) return "";
        if (!settings.IsConfigured)
            return $"{Environment.NewLine}Uploads over 6 MB: off (--upload-bucket NAME [--s3-endpoint URL] turns POST …/uploads on).";
        return $"{Environment.NewLine}Uploads over 6 MB: POST {uploadsUrl} -> bucket {settings.BucketName}" +
            (settings.Endpoint is { } e ? $" at {e.AbsoluteUri}" : "") +
            (settings.Problems.Count > 0 ? $" (misconfigured: {string.Join(" ", settings.Problems)})" : "");
    }
}
