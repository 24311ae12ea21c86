using System.Text.RegularExpressions;
using XrayClassifier.Function.Configuration;
using XrayClassifier.Function.Inference.Runtime;
using XrayClassifier.Local.Hosting;
using XrayClassifier.Tests.TestHelpers;

namespace XrayClassifier.Tests.Deploy;

/// <summary>
/// The Native AOT bootstrap starts ONNX Runtime's environment from a constructor, before .NET (OnnxRuntimePrestart.c), but
/// only for a library the function has checked on an earlier start: run here as Lambda runs it, on a copy of the natives
/// whose identity the tests change.
/// </summary>
public sealed partial class OnnxRuntimePrestartTests(PackageFixture package) : IClassFixture<PackageFixture>, IDisposable
{
    private readonly TempDirectory _temp = TestEnvironment.CreateTempDirectory("xray-prestart");

    [Fact]
    public async Task StartsOnnxRuntimeBeforeDotNetOnlyForTheLibraryTheFunctionChecked()
    {
        using var efs = TestEfs.WithSmallModel();
        string natives = CopyNatives();
        string library = Path.Combine(natives, EfsLayout.OnnxRuntimeFileName);

        // First start: nothing checked yet, so the function loads ORT and leaves the stamp.
        var first = await Classify(efs, natives);
        Assert.Equal(200, first.Answer.Status);
        Assert.Equal("load", first.Start);
        string stamp = Assert.Single(Stamps(efs));
        Assert.Equal(OnnxRuntimePrestart.StampName(library), stamp);

        // Second start: the same file, so the constructor starts ORT; the answer is the same.
        var second = await Classify(efs, natives);
        Assert.Equal(200, second.Answer.Status);
        Assert.Equal("prestart", second.Start);
        Assert.Equal(first.Answer.Json.GetProperty("predictions").GetRawText(), second.Answer.Json.GetProperty("predictions").GetRawText());

        // The file changed since (a copy put over it, here only its time): not loaded before it is checked again.
        File.SetLastWriteTimeUtc(library, DateTime.UtcNow.AddMinutes(-5));
        var third = await Classify(efs, natives);
        Assert.Equal(200, third.Answer.Status);
        Assert.Equal("load", third.Start);
        Assert.NotEqual(stamp, Assert.Single(Stamps(efs)));
    }

    [Fact]
    public async Task ALibraryCutShortAfterItsCheckIsRefusedWithA503NotLoadedAndCrashed()
    {
        using var efs = TestEfs.WithSmallModel();
        string natives = CopyNatives();
        Assert.Equal("load", (await Classify(efs, natives)).Start);
        Assert.Single(Stamps(efs));

        // An interrupted copy over the checked file, in place: same inode, fewer bytes. dlopen of it can fault the process.
        using (var file = new FileStream(Path.Combine(natives, EfsLayout.OnnxRuntimeFileName), FileMode.Open, FileAccess.Write))
            file.SetLength(file.Length / 2);

        var cut = await Classify(efs, natives);
        Assert.False(cut.Exited, "the bootstrap died: the prestart loaded a library the function had not checked");
        Assert.Equal(503, cut.Answer.Status);
        Assert.Contains("truncated", cut.Answer.Body);
        Assert.Null(cut.Start);   // INIT incomplete: ORT never loaded
    }

    /// <summary>The two OrtApi entries and the API version the constructor uses, against ORT's own header for the pinned
    /// package (efs-layout/fill.sh restores it), compiled by the C compiler the link uses.</summary>
    [Fact]
    public void TheEntriesTheConstructorCallsAreTheHeadersOwn()
    {
        string source = File.ReadAllText(Path.Combine(TestEnvironment.RepoRoot, "src", "XrayClassifier.Bootstrap", "OnnxRuntimePrestart.c"));
        int Constant(string name) => int.Parse(Regex.Match(source, $@"\b{name}\s*=?\s*(\d+)").Groups[1].Value);
        string include = Path.Combine(TestEnvironment.RepoRoot, ".cache", "nuget-runtime", "microsoft.ml.onnxruntime",
            OnnxRuntimeLibrary.ManagedVersion, "build", "native", "include");
        if (!File.Exists(Path.Combine(include, "onnxruntime_c_api.h")))
        {
            var restore = ProcessRunner.Run(new ProcessCommand("dotnet", "restore", Path.Combine(TestEnvironment.RepoRoot, "efs-layout", "runtime", "RuntimePackages.csproj"),
                "--packages", Path.Combine(TestEnvironment.RepoRoot, ".cache", "nuget-runtime"), "--verbosity", "quiet",
                "-p:MSBuildProjectExtensionsPath=" + Path.Combine(TestEnvironment.RepoRoot, ".cache", "nuget-runtime", "obj") + "/"), TimeSpan.FromMinutes(5));
            Assert.True(restore.ExitCode == 0, restore.Stderr);
        }
        string program = _temp.Combine("offsets.c");
        File.WriteAllText(program, """
            #include <stddef.h>
            #include <stdio.h>
            #include "onnxruntime_c_api.h"
            int main(void) {
              printf("%zu %zu %d %d\n", offsetof(OrtApi, CreateEnv) / sizeof(void *), offsetof(OrtApi, ReleaseStatus) / sizeof(void *),
                     ORT_API_VERSION, ORT_LOGGING_LEVEL_WARNING);
              return 0;
            }
            """);
        var compile = ProcessRunner.Run(new ProcessCommand("gcc", "-I", include, "-o", _temp.Combine("offsets"), program), TimeSpan.FromMinutes(1));
        Assert.True(compile.ExitCode == 0, compile.Stderr);
        var run = ProcessRunner.Run(new ProcessCommand(_temp.Combine("offsets")), TimeSpan.FromMinutes(1));
        Assert.Equal(
            $"{Constant("CREATE_ENV_ENTRY")} {Constant("RELEASE_STATUS_ENTRY")} {Constant("ORT_API_VERSION_USED")} {Constant("ORT_LOGGING_LEVEL_WARNING")}",
            run.Stdout.Trim());
        // The stamp names the same API version the function checks for.
        Assert.Equal(Version.Parse(OnnxRuntimeLibrary.ManagedVersion).Minor, Constant("ORT_API_VERSION_USED"));
    }

    private sealed record ColdStart(ProxyAnswer Answer, string? Start, bool Exited);

    /// <summary>One fresh bootstrap (a cold start) answering one classification.</summary>
    private async Task<ColdStart> Classify(TestEfs efs, string natives)
    {
        var env = efs.Environment();
        env["XRAY_NATIVE_DIR"] = natives;
        var log = new List<string>();
        await using var api = await RuntimeApiEmulator.StartAsync();
        using var process = BootstrapProcess.Start(Unpack(), api, env, line => { lock (log) log.Add(line); });
        var raw = await api.InvokeAsync(ProxyEventBuilder.Post().BinaryBody(TestImages.Xray, "image/png").ToUtf8()).WaitAsync(TimeSpan.FromMinutes(1));
        var answer = ProxyAnswer.Read(new MemoryStream(raw.Body));
        string? init = null;
        for (int i = 0; i < 100 && init is null; i++)
        {
            lock (log) init = log.FirstOrDefault(l => l.Contains("\"message\":\"init", StringComparison.Ordinal));
            if (init is null) await Task.Delay(20);
        }
        Assert.NotNull(init);
        string? start = StartField().Match(init) is { Success: true } m ? m.Groups[1].Value : null;
        return new ColdStart(answer, start, process.HasExited);
    }

    private string CopyNatives()
    {
        string dir = _temp.Combine("runtime-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        foreach (var lib in new[] { EfsLayout.OnnxRuntimeFileName, EfsLayout.VipsFileName })
            File.Copy(Path.Combine(TestEnvironment.NativeDirectory, lib), Path.Combine(dir, lib));
        return dir;
    }

    private static string[] Stamps(TestEfs efs) =>
        [.. Directory.GetFiles(efs.CacheDirectory, OnnxRuntimePrestart.StampPrefix + "*").Select(f => Path.GetFileName(f)!)];

    private string Unpack()
    {
        string dir = _temp.Combine("task");
        if (!File.Exists(Path.Combine(dir, "bootstrap")))
        {
            Directory.CreateDirectory(dir);
            PackageFixture.Unpack(package.AotZip(LambdaArchitecture.X86_64), "bootstrap", dir);
        }
        return Path.Combine(dir, "bootstrap");
    }

    [GeneratedRegex("\"onnxRuntimeStart\":\"([a-z]+)\"")]
    private static partial Regex StartField();

    public void Dispose() => _temp.Dispose();
}
