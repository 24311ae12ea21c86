using XrayClassifier.Tests.TestHelpers;

namespace XrayClassifier.Tests.Local;

/// <summary>
/// A stand-in for the EFS mount: models/ and runtime/ linked from the filled efs-layout/, with its own
/// empty cache/ and workspace/ so that what a test's handler writes stays in the test's folder.
/// </summary>
internal sealed class LocalEfsRoot : IDisposable
{
    private readonly TempDirectory _temp = TestEnvironment.CreateTempDirectory("xray-local-efs");

    public LocalEfsRoot()
    {
        _ = TestEnvironment.NativeDirectory;          // fails with the fix when fill.sh has not run
        _ = TestEnvironment.DefaultModelDirectory;
        foreach (var shared in new[] { "models", "runtime" })
            Directory.CreateSymbolicLink(_temp.Combine(shared), System.IO.Path.Combine(TestEnvironment.EfsLayoutRoot, shared));
        Directory.CreateDirectory(_temp.Combine("cache"));
        Directory.CreateDirectory(_temp.Combine("workspace"));
    }

    public string Path => _temp.Path;

    public string Workspace => _temp.Combine("workspace");

    /// <summary>The handler's environment: only XRAY_EFS_ROOT, everything else at its default.</summary>
    public XrayClassifier.Function.Configuration.DictionaryEnvironmentVariables Environment =>
        new(new Dictionary<string, string?> { ["XRAY_EFS_ROOT"] = Path });

    public void Dispose() => _temp.Dispose();
}
