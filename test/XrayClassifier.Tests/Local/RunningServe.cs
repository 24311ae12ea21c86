using System.Text;
using System.Text.RegularExpressions;
using XrayClassifier.Function.Configuration;
using XrayClassifier.Local.Commands;

namespace XrayClassifier.Tests.Local;

/// <summary>
/// <c>serve</c> as a user starts it — the command line (<see cref="LocalCli"/>) given <c>serve --port 0 …</c> — running
/// in this process until disposed, so a browser talks to exactly what <c>dotnet run --project tools/XrayClassifier.Local
/// -- serve</c> composes (LocalEnvironment, LocalFunction, ServeCommand.Settings, the emulator). Its address is read
/// from the banner it prints; port 0 takes a free one.
/// </summary>
public sealed partial class RunningServe : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Log _log = new();
    private Task<int> _run = Task.FromResult(0);

    private RunningServe() { }

    /// <summary>The server's root (<c>http://127.0.0.1:PORT/</c>); the API is under the stage (<c>v1/</c>).</summary>
    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>What serve has printed: its banner and a line per request.</summary>
    public string Output => _log.Text;

    /// <summary>Runs <c>serve --port 0</c> with <paramref name="options"/> against <paramref name="environment"/> (the
    /// process environment a user's shell would give it) and waits for its banner.</summary>
    public static async Task<RunningServe> StartAsync(IEnvironmentVariables environment, params string[] options)
    {
        var serve = new RunningServe();
        serve._run = Task.Run(() => LocalCli.RunAsync(["serve", "--port", "0", .. options], TextWriter.Null, serve._log, environment, serve._stop.Token));
        var until = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while (Banner().Match(serve._log.Text) is not { Success: true } banner)
        {
            if (serve._run.IsCompleted)
                throw new InvalidOperationException($"serve ended (exit {await serve._run}) before listening: {serve._log.Text}");
            if (DateTime.UtcNow > until)
            {
                await serve.DisposeAsync();
                throw new TimeoutException($"serve printed no banner in 2 minutes: {serve._log.Text}");
            }
            await Task.Delay(20);
        }
        serve.BaseAddress = new Uri(Banner().Match(serve._log.Text).Groups[1].Value);
        return serve;
    }

    /// <summary>Stops serve as Ctrl+C does and checks that it ended as it should (exit 0).</summary>
    public async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        int exit = await _run.WaitAsync(TimeSpan.FromMinutes(1));
        _stop.Dispose();
        if (exit != LocalCli.Success) throw new InvalidOperationException($"serve exited with {exit}: {_log.Text}");
    }

    ValueTask IAsyncDisposable.DisposeAsync() => new(DisposeAsync());

    // "API Gateway REST API emulator: ANY http://127.0.0.1:PORT/v1/{proxy+} -> …" (or "POST …" with --resource), then
    // the rest of the banner, which ends with "Ctrl+C stops." once the server listens.
    [GeneratedRegex(@"REST API emulator: (?:ANY|POST) (http://127\.0\.0\.1:[0-9]+/)[\s\S]*Ctrl\+C stops\.")]
    private static partial Regex Banner();

    /// <summary>serve's standard error, written from its threads and read from the test's.</summary>
    private sealed class Log : TextWriter
    {
        private readonly StringBuilder _text = new();

        public override Encoding Encoding => Encoding.UTF8;

        public string Text { get { lock (_text) return _text.ToString(); } }

        public override void Write(char value) { lock (_text) _text.Append(value); }

        public override void Write(string? value) { lock (_text) _text.Append(value); }

        public override void Write(char[] buffer, int index, int count) { lock (_text) _text.Append(buffer, index, count); }
    }
}
