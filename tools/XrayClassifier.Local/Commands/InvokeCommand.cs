using System.CommandLine;
using System.Text;
using XrayClassifier.Function.Configuration;
using XrayClassifier.Local.ApiGateway;
using XrayClassifier.Local.Hosting;

namespace XrayClassifier.Local.Commands;

/// <summary><c>invoke EVENT.json</c>: the saved event goes to the handler byte for byte (as the Lambda
/// Test Tool passes it), and the proxy response JSON is printed as the handler wrote it. With
/// <c>--bootstrap PATH</c> the handler is the Native AOT custom runtime in a process of its own, fed through an
/// emulated Runtime API, as Lambda runs the <c>provided.al2023</c> deployment.</summary>
internal static class InvokeCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr, IEnvironmentVariables environment)
    {
        var eventFile = LocalOptions.Positional("invoke", "EVENT.json", "A saved API Gateway proxy event.");
        var efsRoot = LocalOptions.EfsRoot();
        var bootstrap = new Option<string?>("--bootstrap") { Description = "Through the Native AOT bootstrap behind an emulated Runtime API.", HelpName = "PATH" };
        var command = new Command("invoke", "Feeds a saved proxy event to the handler and prints the proxy response JSON.") { eventFile, efsRoot, bootstrap };
        command.SetAction(parsed => RunAsync(parsed.GetValue(eventFile)!, parsed.GetValue(efsRoot), parsed.GetValue(bootstrap), stdout, stderr, environment));
        return command;
    }

    private static async Task<int> RunAsync(string eventPath, string? efsRoot, string? bootstrapPath, TextWriter stdout, TextWriter stderr, IEnvironmentVariables environment)
    {
        if (!File.Exists(eventPath)) throw new UsageException($"event file '{eventPath}' not found");
        var local = LocalEnvironment.Resolve(efsRoot, environment);
        var payload = await File.ReadAllBytesAsync(eventPath).ConfigureAwait(false);

        if (payload.Length > RestApiSettings.MaxInvokePayloadBytes)
        {
            // What the Invoke API answers; through API Gateway the client would get 413 Request Too Long.
            await stderr.WriteLineAsync($"RequestEntityTooLargeException: the event is {payload.Length} bytes; Lambda refuses " +
                                        $"synchronous invocations over {RestApiSettings.MaxInvokePayloadBytes} bytes").ConfigureAwait(false);
            return LocalCli.ErrorAnswer;
        }

        byte[] responseJson;
        if (bootstrapPath is { } bootstrap)
        {
            if (await InvokeBootstrapAsync(bootstrap, local, payload, stderr).ConfigureAwait(false) is not { } answered) return LocalCli.ErrorAnswer;
            responseJson = answered;
        }
        else
        {
            using var function = LocalFunction.Create(local);
            try
            {
                responseJson = await RestApiEmulator.InvokeAsync(function.FunctionHandler, payload).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                await stderr.WriteLineAsync($"Lambda function error: {e}").ConfigureAwait(false);
                return LocalCli.ErrorAnswer;
            }
        }

        await stdout.WriteLineAsync(Encoding.UTF8.GetString(responseJson)).ConfigureAwait(false);
        var response = ProxyResponseReader.TryRead(responseJson, out var problem);
        if (response is null)
        {
            await stderr.WriteLineAsync($"{problem}: API Gateway would answer 502 {{\"message\": \"Internal server error\"}}").ConfigureAwait(false);
            return LocalCli.ErrorAnswer;
        }
        return LocalCli.ExitCodeFor(response.StatusCode);
    }

    /// <summary>The event through the bootstrap's Runtime API; null (after saying why) when the runtime reported an error.
    /// The function's log lines go to standard error, as the in-process handler's do.</summary>
    private static async Task<byte[]?> InvokeBootstrapAsync(string bootstrap, LocalEnvironment local, byte[] payload, TextWriter stderr)
    {
        if (!File.Exists(bootstrap)) throw new UsageException($"--bootstrap '{bootstrap}' not found (bash tools/package.sh builds artifacts/bootstrap/bootstrap)");
        await using var api = await RuntimeApiEmulator.StartAsync().ConfigureAwait(false);
        using var process = BootstrapProcess.Start(bootstrap, api, new Dictionary<string, string?> { ["XRAY_EFS_ROOT"] = local.EfsRoot },
            line => { lock (stderr) stderr.WriteLine(line); });
        if (await process.InvokeAsync(api, payload).ConfigureAwait(false) is not { } answer)
        {
            await stderr.WriteLineAsync($"the bootstrap exited ({process.ExitCode}) without answering").ConfigureAwait(false);
            return null;
        }
        if (!answer.IsError) return answer.Body;
        await stderr.WriteLineAsync($"Lambda function error ({answer.ErrorType}): {Encoding.UTF8.GetString(answer.Body)}").ConfigureAwait(false);
        return null;
    }
}
