using XrayClassifier.ModelGen.Models;
using XrayClassifier.Tests.TestHelpers;

namespace XrayClassifier.Tests.ModelGen;

public sealed class AtomicFileTests
{
    [Fact]
    public void AFailedWriteLeavesThePreviousFileAndNoTempFile()
    {
        using var dir = TestEnvironment.CreateTempDirectory();
        var path = dir.Combine("model.onnx");
        File.WriteAllText(path, "previous model");

        Assert.Throws<IOException>(() => AtomicFile.Write(path, s =>
        {
            s.Write(new byte[100_000]);
            throw new IOException("disk full (simulated)");
        }));

        Assert.Equal("previous model", File.ReadAllText(path));
        Assert.Equal(["model.onnx"], Directory.GetFiles(dir.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void ReplacesAnExistingFileWhole()
    {
        using var dir = TestEnvironment.CreateTempDirectory();
        var path = dir.Combine("sub", "model.onnx");
        Directory.CreateDirectory(dir.Combine("sub"));
        File.WriteAllText(path, "a much longer previous model file");

        AtomicFile.Write(path, s => s.Write("new"u8));

        Assert.Equal("new", File.ReadAllText(path));
    }
}
