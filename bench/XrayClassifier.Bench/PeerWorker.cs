using System.Diagnostics;
using System.Text.Json;

namespace XrayClassifier.Bench;

/// <summary>
/// A long-lived Node process running the peer's handler.js (bench/peer-worker.js), asked for its warm
/// figures a block at a time so that ours and the peer's are taken in alternation, minutes apart never.
/// </summary>
public sealed class PeerWorker : IDisposable
{
    private readonly Process _node;

    private PeerWorker(Process node) => _node = node;

    /// <summary>"node v20…, onnxruntime-node …, sharp …".</summary>
    public string Versions { get; private set; } = "";

    /// <summary>Starts the worker on the peer in <paramref name="peerDir"/> (npm-installed) with <paramref name="modelPath"/>
    /// and waits until its session is created.</summary>
    /// <param name="cpuGroup">A cpu cgroup to run the worker in (see <see cref="LambdaCpu"/>), or null.</param>
    public static PeerWorker Start(string peerDir, string modelPath, string workspace, string? cpuGroup = null)
    {
        string script = Path.Combine(AppContext.BaseDirectory, "peer-worker.js");
        var node = ProcessRunner.Start(new ProcessCommand("node", script, peerDir)
        {
            WorkingDirectory = peerDir,
            Environment = new Dictionary<string, string?> { ["MODEL_PATH"] = Path.GetFullPath(modelPath), ["WORKSPACE"] = workspace },
        }, redirectInput: true, redirectError: false);
        var worker = new PeerWorker(node);
        if (cpuGroup is not null) LambdaCpu.Move(node.Id, cpuGroup);
        try
        {
            using var ready = worker.Ask(new { op = "ready" });
            var v = ready.RootElement.GetProperty("versions");
            worker.Versions = $"node {v.GetProperty("node").GetString()}, onnxruntime-node {v.GetProperty("onnxruntimeNode").GetString()}, " +
                              $"sharp {v.GetProperty("sharp").GetString()}";
            return worker;
        }
        catch
        {
            worker.Dispose();
            throw;
        }
    }

    /// <summary>Times <paramref name="runs"/> consecutive calls of one figure ("preprocess", "run", "handler") on
    /// <paramref name="image"/>; the answer's status must be 200 for "handler".</summary>
    public double[] Time(string figure, string image, int runs)
    {
        using var answer = Ask(new { op = "time", what = figure, image = Path.GetFullPath(image), runs });
        int status = answer.RootElement.GetProperty("status").GetInt32();
        if (status != 200) throw new InvalidOperationException($"the peer answered {status} for {Path.GetFileName(image)}");
        return answer.RootElement.GetProperty("ms").EnumerateArray().Select(e => e.GetDouble()).ToArray();
    }

    /// <summary>Issue 23's archive job the peer's way, one object at a time: GET from the S3-protocol server, its handler,
    /// PUT the answer under <paramref name="resultsPrefix"/>; one figure (ms) per key, end to end.</summary>
    public double[] Archive(Uri endpoint, string bucket, IReadOnlyList<string> keys, string resultsPrefix)
    {
        using var answer = Ask(new { op = "archive", endpoint = endpoint.AbsoluteUri, bucket, keys, resultsPrefix });
        return answer.RootElement.GetProperty("ms").EnumerateArray().Select(e => e.GetDouble()).ToArray();
    }

    private JsonDocument Ask(object command)
    {
        _node.StandardInput.WriteLine(JsonSerializer.Serialize(command));
        _node.StandardInput.Flush();
        string line = _node.StandardOutput.ReadLine() ?? throw new InvalidOperationException($"the peer worker exited ({ExitText()})");
        var doc = JsonDocument.Parse(line);
        if (doc.RootElement.TryGetProperty("error", out var error))
        {
            string message = error.GetString() ?? "";
            doc.Dispose();
            throw new InvalidOperationException("the peer worker failed: " + message);
        }
        return doc;
    }

    private string ExitText() => _node.HasExited ? $"code {_node.ExitCode}" : "still running";

    public void Dispose()
    {
        try
        {
            _node.StandardInput.Close();
            if (!_node.WaitForExit(5000)) _node.Kill();
        }
        finally
        {
            _node.Dispose();
        }
    }
}
