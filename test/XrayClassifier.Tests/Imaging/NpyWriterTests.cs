using XrayClassifier.Function.Imaging;
using XrayClassifier.Tooling.Tensors;
using XrayClassifier.Tests.TestHelpers;

namespace XrayClassifier.Tests.Imaging;

/// <summary>The .npy files the local tool's --dump-input writes, read back by numpy itself.</summary>
public sealed class NpyWriterTests
{
    [Fact]
    public void WritesAFloat32NchwTensorThatNumpyLoads()
    {
        using var dir = TestEnvironment.CreateTempDirectory("xray-npy");
        var spec = new PreprocessSpec(3, 5, 7, ResizeMode.Stretch, Interpolation.Bilinear, [0, 0, 0], [1, 1, 1]);
        var tensor = new float[spec.ElementCount];
        for (int i = 0; i < tensor.Length; i++) tensor[i] = i * 0.25f - 10;
        tensor[3] = float.Epsilon;
        tensor[4] = -0f;
        string path = dir.Combine("input.npy");
        NpyWriter.Write(path, tensor, spec);

        string output = Python.Run("-c",
            "import numpy as np, sys; a = np.load(sys.argv[1]); " +
            "print(a.dtype, a.shape, a.flags['C_CONTIGUOUS']); print(repr(float(a[0, 1, 2, 3])), repr(float(a.sum())), a.reshape(-1)[3] == np.float32(1e-45))",
            path);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("float32 (1, 3, 5, 7) True", lines[0]);
        // Element [0, 1, 2, 3] is flat index 1·35 + 2·7 + 3 = 52 → 52·0.25 − 10 = 3.0.
        double sum = tensor.Select(v => (double)v).Sum();
        Assert.Equal($"3.0 {sum.ToString(System.Globalization.CultureInfo.InvariantCulture)} True", lines[1]);
    }

    [Fact]
    public void StartsTheDataOnA64ByteBoundary()
    {
        using var stream = new MemoryStream();
        NpyWriter.Write(stream, new float[6], [1, 1, 2, 3]);
        long header = stream.Length - 6 * 4;
        Assert.Equal(0, header % 64);
        var bytes = stream.ToArray();
        Assert.Equal(new byte[] { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0 }, bytes[..8]);
        Assert.Equal((byte)'\n', bytes[header - 1]);
    }

    [Fact]
    public void RefusesAShapeThatDoesNotMatchTheData()
    {
        Assert.Throws<ArgumentException>(() => NpyWriter.Write(new MemoryStream(), new float[10], [1, 3, 2, 2]));
    }
}
