using XrayClassifier.Function.Configuration;

namespace XrayClassifier.Tests.TestHelpers;

/// <summary>
/// Where the tests find the real native libraries and the repository. The natives are part of the
/// set-up (efs-layout/fill.sh), so a missing one fails the test with the fix, never skips it.
/// </summary>
public static class TestEnvironment
{
    private static readonly Lazy<string> s_repoRoot = new(FindRepoRoot);

    /// <summary>The repository root (the folder holding XrayClassifier.sln).</summary>
    public static string RepoRoot => s_repoRoot.Value;

    /// <summary>The efs-layout tree filled by efs-layout/fill.sh (XRAY_TEST_EFS_ROOT overrides).</summary>
    public static string EfsLayoutRoot =>
        Environment.GetEnvironmentVariable("XRAY_TEST_EFS_ROOT") is { Length: > 0 } root
            ? Path.GetFullPath(root)
            : Path.Combine(RepoRoot, "efs-layout");

    /// <summary>runtime/{rid}/ with libonnxruntime.so and libvips.so.42, checked to exist.</summary>
    public static string NativeDirectory => NativeDirectoryFor(EfsLayout.RuntimeIdentifier);

    /// <summary>runtime/<paramref name="rid"/>/ (linux-x64, linux-arm64), checked to hold both libraries.</summary>
    public static string NativeDirectoryFor(string rid)
    {
        var dir = Path.Combine(EfsLayoutRoot, "runtime", rid);
        foreach (var lib in new[] { EfsLayout.OnnxRuntimeFileName, EfsLayout.VipsFileName })
        {
            if (!File.Exists(Path.Combine(dir, lib)))
                throw new InvalidOperationException(
                    $"{Path.Combine(dir, lib)} is missing: run efs-layout/fill.sh (the test command does) before the tests.");
        }
        return dir;
    }

    /// <summary>The generated default model's folder (efs-layout/models/chest-xray), checked to hold the model.</summary>
    public static string DefaultModelDirectory
    {
        get
        {
            var dir = Path.Combine(EfsLayoutRoot, "models", XrayOptions.DefaultModelName);
            if (!File.Exists(Path.Combine(dir, "model.onnx")))
                throw new InvalidOperationException($"{dir}/model.onnx is missing: run efs-layout/fill.sh first.");
            return dir;
        }
    }

    /// <summary>A fresh, empty folder under the system temp folder, removed when disposed.</summary>
    public static TempDirectory CreateTempDirectory(string prefix = "xray-test") => new(prefix);

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "XrayClassifier.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException($"XrayClassifier.sln not found above {AppContext.BaseDirectory}");
    }
}

/// <summary>A temp folder that deletes itself (and everything in it) on dispose.</summary>
public sealed class TempDirectory : IDisposable
{
    public TempDirectory(string prefix)
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"{prefix}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    public void Dispose()
    {
        try
        {
            // Tests make folders read-only on purpose; give write access back before deleting.
            foreach (var d in Directory.EnumerateDirectories(Path, "*", SearchOption.AllDirectories))
                File.SetUnixFileMode(d, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            File.SetUnixFileMode(Path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
