using System.Text.Json;
using XrayClassifier.ModelGen;
using XrayClassifier.Tests.TestHelpers;

namespace XrayClassifier.Tests.ModelGen;

/// <summary>The ModelGen command line as efs-layout/fill.sh and tools/run-sample.sh call it (the built tool, in a real process).</summary>
public sealed class CommandLineTests
{
    private static (int ExitCode, string Stdout, string Stderr) RunTool(params string[] args)
    {
        var result = ProcessRunner.Run(
            new ProcessCommand(ProcessCommand.DotnetHost, [Path.Combine(AppContext.BaseDirectory, "XrayClassifier.ModelGen.dll"), .. args]),
            TimeSpan.FromMinutes(2));
        return (result.ExitCode, result.Stdout, result.Stderr);
    }

    [Theory]
    [InlineData(new string[0], "Commands:")]
    [InlineData(new[] { "frobnicate" }, "Unrecognized command or argument 'frobnicate'")]
    [InlineData(new[] { "chexnet" }, "Option '--out' is required")]
    [InlineData(new[] { "chexnet", "--out" }, "Required argument missing for option: '--out'")]
    [InlineData(new[] { "chexnet", "--out", "x.onnx", "--seed", "-1" }, "--seed must be a non-negative integer")]
    [InlineData(new[] { "sample-xray", "--out", "x.png", "--bits", "12" }, "--bits must be 8 or 16")]
    [InlineData(new[] { "sample-xray", "--out", "x.png", "--colour", "red" }, "Unrecognized command or argument '--colour'")]
    public void ExitsWithTwoAndSaysWhyOnUsageErrors(string[] args, string message)
    {
        var (exit, stdout, stderr) = RunTool(args);
        Assert.Equal(2, exit);
        Assert.Contains(message, stdout + stderr);
    }

    [Fact]
    public void HelpExitsZero()
    {
        var (exit, stdout, _) = RunTool("--help");
        Assert.Equal(0, exit);
        Assert.Contains("chexnet --out PATH", stdout);
    }

    [Fact]
    public void ChexnetWritesTheDefaultModelAtomically()
    {
        using var dir = TestEnvironment.CreateTempDirectory();
        var path = dir.Combine("models", "chest-xray", "model.onnx");
        File.WriteAllText(dir.Combine("stale.txt"), "unrelated");

        var (exit, _, stderr) = RunTool("chexnet", "--out", path);

        Assert.True(exit == 0, stderr);
        Assert.Equal(File.ReadAllBytes(DefaultModel.FilePath), File.ReadAllBytes(path)); // the library's default seed, byte for byte
        Assert.Equal(["model.onnx"], Directory.GetFiles(Path.GetDirectoryName(path)!).Select(Path.GetFileName)); // no temp file left
    }

    [Theory]
    [InlineData("8", "L")]
    [InlineData("16", "I")]
    public void SampleXrayWritesAGreyPngOfTheRequestedSizeAndDepth(string bits, string pilMode)
    {
        using var dir = TestEnvironment.CreateTempDirectory();
        var path = dir.Combine("samples", "xray.png");

        var (exit, _, stderr) = RunTool("sample-xray", "--out", path, "--width", "300", "--height", "200", "--bits", bits);

        Assert.True(exit == 0, stderr);
        var info = JsonDocument.Parse(Python.RunCode("""
            import sys, json
            from PIL import Image
            im = Image.open(sys.argv[1]); im.load()
            print(json.dumps(dict(mode=im.mode, size=list(im.size), bits=im.info.get('bits', None))))
            """, path)).RootElement;
        Assert.Equal(pilMode, info.GetProperty("mode").GetString());
        Assert.Equal([300, 200], info.GetProperty("size").EnumerateArray().Select(e => e.GetInt32()));
        var expected = SampleImages.ChestXray(300, 200, 1);
        var png = File.ReadAllBytes(path);
        Assert.Equal(bits == "16" ? PngWriter.Grey16(300, 200, expected.Samples) : PngWriter.Grey8(300, 200, expected.To8Bit()), png);
    }
}
