using System.Security.Cryptography;
using System.Text.Json;
using XrayClassifier.ModelGen;
using XrayClassifier.Tests.TestHelpers;

namespace XrayClassifier.Tests.ModelGen;

public sealed class CheXNetModelTests
{
    [Fact]
    public void PassesOnnxCheckerWithTorchvisionParameterCountAndContract()
    {
        var path = DefaultModel.FilePath;

        var check = OnnxCheck.Of(path);

        Assert.Equal(8, check.IrVersion);
        Assert.Equal("XrayClassifier.ModelGen", check.ProducerName);
        Assert.Equal(13, check.Opsets[""]);
        Assert.Equal(6_968_206, check.TrainableParameterCount);
        Assert.Equal(OnnxModels.CheXNetParameterCount, check.TrainableParameterCount);
        Assert.Equal(new OnnxCheck.Value("input", 1, ["batch", "3", "224", "224"]), Assert.Single(check.Inputs), ValueComparer);
        Assert.Equal(new OnnxCheck.Value("probabilities", 1, ["batch", "14"]), Assert.Single(check.Outputs), ValueComparer);
        Assert.Equal(new OnnxCheck.Value("probabilities", 1, ["batch", "14"]), Assert.Single(check.InferredOutputs), ValueComparer);
        Assert.Equal(["AveragePool", "BatchNormalization", "Concat", "Conv", "Flatten", "Gemm", "GlobalAveragePool", "MaxPool", "Relu", "Sigmoid"], check.OpTypes);
        Assert.InRange(new FileInfo(path).Length, 27_000_000, 29_000_000);
        Assert.Equal(["model.onnx"], Directory.GetFiles(Path.GetDirectoryName(path)!).Select(Path.GetFileName)); // the temp file was renamed
    }

    [Fact]
    public void IsTheSameBytesOnEveryRunAndDiffersBySeed()
    {
        var first = SHA256.HashData(File.ReadAllBytes(DefaultModel.FilePath));
        var second = SHA256.HashData(OnnxModels.CheXNet());
        var otherSeed = SHA256.HashData(OnnxModels.CheXNet(seed: 7));
        Assert.Equal(Convert.ToHexString(first), Convert.ToHexString(second));
        Assert.NotEqual(Convert.ToHexString(first), Convert.ToHexString(otherSeed));
    }

    [Fact]
    public void LoadsIntoTorchvisionDenseNet121ByNameAndGivesSpreadProbabilitiesThatDifferBetweenXrays()
    {
        using var dir = TestEnvironment.CreateTempDirectory();
        var model = DefaultModel.FilePath;
        var images = new List<string>();
        foreach (var (seed, w, h) in new[] { (1, 1024, 1024), (2, 512, 600), (3, 800, 800) })
        {
            var path = dir.Combine($"xray-{seed}.png");
            File.WriteAllBytes(path, PngWriter.Grey8(w, h, SampleImages.ChestXray(w, h, seed).To8Bit()));
            images.Add(path);
        }

        // torchvision's own densenet121 with a CheXNet head and our initializers loaded by state_dict name
        // (nothing missing but num_batches_tracked, nothing unexpected), the image preprocessed as the manifest says.
        var output = Python.RunCode("""
            import sys, json, numpy as np, onnx, torch, torchvision
            from onnx import numpy_helper
            from PIL import Image
            m = onnx.load(sys.argv[1])
            net = torchvision.models.densenet121(weights=None)
            net.classifier = torch.nn.Sequential(torch.nn.Linear(1024, 14), torch.nn.Sigmoid())
            sd = {t.name: torch.from_numpy(numpy_helper.to_array(t).copy()) for t in m.graph.initializer}
            missing, unexpected = net.load_state_dict(sd, strict=False)
            missing = [k for k in missing if not k.endswith('num_batches_tracked')]
            assert not missing and not unexpected, (missing, unexpected)
            net.eval()
            mean = np.array([0.485, 0.456, 0.406], dtype=np.float32)
            std = np.array([0.229, 0.224, 0.225], dtype=np.float32)
            out = []
            for p in sys.argv[2:]:
                a = np.asarray(Image.open(p).convert('RGB').resize((224, 224), Image.BILINEAR), dtype=np.float32) / 255
                x = torch.from_numpy(((a - mean) / std).transpose(2, 0, 1)[None].copy())
                with torch.no_grad():
                    out.append(net(x)[0].tolist())
            print(json.dumps(out))
            """, [model, .. images]);
        var probabilities = JsonSerializer.Deserialize<float[][]>(output)!;

        Assert.Equal(3, probabilities.Length);
        foreach (var p in probabilities)
        {
            Assert.Equal(14, p.Length);
            Assert.All(p, v => Assert.InRange(v, 0.02f, 0.98f)); // not saturated
            Assert.True(p.Max() - p.Min() > 0.5f, $"probabilities should spread, got {string.Join(", ", p)}");
        }
        for (var i = 1; i < probabilities.Length; i++)
        {
            var largestChange = probabilities[i].Zip(probabilities[0], (a, b) => MathF.Abs(a - b)).Max();
            Assert.True(largestChange > 0.03f, $"image {i} should not score like image 0 (largest change {largestChange})");
        }
    }

    internal static readonly IEqualityComparer<OnnxCheck.Value> ValueComparer = EqualityComparer<OnnxCheck.Value>.Create(
        (a, b) => a!.Name == b!.Name && a.ElemType == b.ElemType && a.Dims.SequenceEqual(b.Dims),
        v => v.Name.GetHashCode());
}
