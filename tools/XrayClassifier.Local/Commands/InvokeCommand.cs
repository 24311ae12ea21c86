using System.Text;
using XrayClassifier.Function.Configuration;
using XrayClassifier.Local.ApiGateway;

namespace XrayClassifier.Local.Commands;

/// <summary><c>invoke EVENT.json</c>: the saved event goes to the handler byte for byte (as the Lambda
/// Test Tool passes it), and the proxy response JSON is printed as the handler wrote it.</summary>
internal static class InvokeCommand
{
    public static async Task<int> RunAsync(CommandLine line, TextWriter stdout, TextWriter stderr, IEnvironmentVariables environment)
    {
        var eventPath = line.SinglePositional("an EVENT.json file");
        if (!File.Exists(eventPath)) throw new UsageException($"event file '{eventPath}' not found");
        var local = LocalEnvironment.Resolve(line.Option("efs-root"), environment);
        var payload = await File.ReadAllBytesAsync(eventPath).ConfigureAwait(false);

        if (payload.Length > RestApiSettings.MaxInvokePayloadBytes)
        {
            // What the Invoke API answers; through API Gateway the client would get 413 Request Too Long.
            await stderr.WriteLineAsync($"RequestEntityTooLargeException: the event is {payload.Length} bytes; Lambda refuses " +
                                        $"synchronous invocations over {RestApiSettings.MaxInvokePayloadBytes} bytes").ConfigureAwait(false);
            return LocalCli.ErrorAnswer;
        }

        using var function = LocalFunction.Create(local);
        byte[] responseJson;
        try
        {
            responseJson = await RestApiEmulator.InvokeAsync(function.FunctionHandler, payload).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            await stderr.WriteLineAsync($"Lambda function error: {e}").ConfigureAwait(false);
            return LocalCli.ErrorAnswer;
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
}
