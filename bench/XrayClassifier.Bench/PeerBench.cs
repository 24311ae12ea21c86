using System.Diagnostics;
using System.Text.Json;

namespace XrayClassifier.Bench;

/// <summary>The Node peer's figures for one image (from its results.json).</summary>
public sealed record PeerResult(string Image, double Run, double Handler, double Preprocess, double ColdStart, long ColdPeakRssKiB, long WarmPeakRssKiB);

/// <summary>Runs ../shared/peers/node's bench.js on the same model and images and reads its results.</summary>
public static class PeerBench
{
    public static Dictionary<string, PeerResult> Run(string peerDir, string modelPath, string imagesDir, string outDir, Action<string> log)
    {
        Directory.CreateDirectory(outDir);
        log("peer: node bench.js …");
        ProcessRunner.RunInConsole(new ProcessCommand("node", "bench.js")
        {
            WorkingDirectory = peerDir,
            Environment = new Dictionary<string, string?>
            {
                ["PEER_MODELS"] = $"densenet121={modelPath}",
                ["PEER_IMAGES_DIR"] = imagesDir,
                ["PEER_OUT"] = outDir,
                ["BENCH_TMP"] = Path.Combine(outDir, "tmp"),
            },
        });
        return Read(Path.Combine(outDir, "results.json"));
    }

    public static Dictionary<string, PeerResult> Read(string resultsJson)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(resultsJson));
        var warm = doc.RootElement.GetProperty("warm").GetProperty("densenet121");
        var cold = doc.RootElement.GetProperty("cold").GetProperty("densenet121");
        long warmPeak = warm.GetProperty("maxRSSKiB").GetInt64();
        var results = new Dictionary<string, PeerResult>();
        foreach (var img in warm.GetProperty("images").EnumerateObject())
        {
            var w = img.Value;
            var c = cold.GetProperty(img.Name);
            results[img.Name] = new PeerResult(img.Name,
                w.GetProperty("sessionRun").GetProperty("median").GetDouble(),
                w.GetProperty("handler").GetProperty("median").GetDouble(),
                w.GetProperty("preprocess").GetProperty("median").GetDouble(),
                c.GetProperty("spawnToResponse").GetProperty("median").GetDouble(),
                c.GetProperty("maxRSSKiB").GetInt64(),
                warmPeak);
        }
        return results;
    }

    public static string Versions(string resultsJson)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(resultsJson));
        var v = doc.RootElement.GetProperty("versions");
        return $"node {v.GetProperty("node").GetString()}, onnxruntime-node {v.GetProperty("onnxruntimeNode").GetString()}, " +
               $"sharp {v.GetProperty("sharp").GetString()} (libvips {v.GetProperty("sharpVersions").GetProperty("vips").GetString()})";
    }
}
