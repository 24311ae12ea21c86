using XrayClassifier.Function.Configuration;
using XrayClassifier.Tests.Deploy;
using XrayClassifier.Tests.TestHelpers;

namespace XrayClassifier.Tests.Inference;

/// <summary>
/// The real libonnxruntime.so of an older Microsoft.ML.OnnxRuntime package (1.30.0), restored from NuGet
/// into a packages folder of the tests' own under .cache/ (git-ignored, reused by later runs), the way
/// efs-layout/fill.sh restores the current one.
/// </summary>
internal static class OlderOnnxRuntime
{
    public const string Version = "1.30.0";

    private static readonly Lazy<string> s_library = new(Restore);

    /// <summary>runtimes/{rid}/native/libonnxruntime.so of Microsoft.ML.OnnxRuntime 1.30.0.</summary>
    public static string LibraryPath => s_library.Value;

    private static string Restore()
    {
        string packages = Path.Combine(TestEnvironment.RepoRoot, ".cache", "nuget-test");
        string library = Path.Combine(packages, "microsoft.ml.onnxruntime", Version, "runtimes", EfsLayout.RuntimeIdentifier, "native",
            EfsLayout.OnnxRuntimeFileName);
        if (File.Exists(library)) return library;

        using var project = TestEnvironment.CreateTempDirectory("xray-ort-restore");
        File.WriteAllText(project.Combine("Restore.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup><TargetFramework>net10.0</TargetFramework><NuGetAudit>false</NuGetAudit></PropertyGroup>
              <ItemGroup><PackageDownload Include="Microsoft.ML.OnnxRuntime" Version="[{Version}]" /></ItemGroup>
            </Project>
            """);
        var result = ProcessRunner.Run("dotnet", ["restore", "Restore.csproj", "--packages", packages, "--verbosity", "quiet"],
            project.Path, TimeSpan.FromMinutes(5));
        if (result.ExitCode != 0 || !File.Exists(library))
        {
            throw new InvalidOperationException(
                $"restoring Microsoft.ML.OnnxRuntime {Version} for the too-old-library test failed ({result.ExitCode}):\n{result.Stdout}\n{result.Stderr}");
        }
        return library;
    }
}
