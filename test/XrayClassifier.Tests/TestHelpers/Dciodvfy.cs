using Xunit.Abstractions;

namespace XrayClassifier.Tests.TestHelpers;

/// <summary>
/// dicom3tools' <c>dciodvfy</c> (Debian's dicom3tools; tools/prerequisites.sh installs it), the independent check of
/// every Structured Report the tests make: the IOD, its modules, each attribute's VR, length and enumerated values, and
/// the SR's relationship constraints. One place, so every test that obtains an SR checks it the same way.
/// </summary>
public static class Dciodvfy
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);

    /// <summary>dciodvfy's error lines for the file at <paramref name="path"/> (its whole verdict printed to
    /// <paramref name="output"/>: the expected warnings are in API.md).</summary>
    public static IReadOnlyList<string> Errors(string path, ITestOutputHelper? output = null)
    {
        if (!File.Exists("/usr/bin/dciodvfy"))
            throw new InvalidOperationException("/usr/bin/dciodvfy is missing: run tools/prerequisites.sh (installs Debian's dicom3tools).");
        var verify = ProcessRunner.Run(new ProcessCommand("dciodvfy", path), s_timeout);
        string verdict = verify.Stdout + verify.Stderr;
        output?.WriteLine($"dciodvfy {Path.GetFileName(path)}:\n{verdict}");
        return [.. verdict.Split('\n').Where(l => l.StartsWith("Error", StringComparison.Ordinal))];
    }

    /// <summary>dciodvfy finds no error in the SR at <paramref name="path"/>.</summary>
    public static void AssertNoError(string path, ITestOutputHelper? output = null) =>
        Assert.Empty(Errors(path, output));

    /// <summary>dciodvfy finds no error in the SR <paramref name="sr"/> (written to a temp file for it).</summary>
    public static void AssertNoError(byte[] sr, ITestOutputHelper? output = null)
    {
        using var directory = new TempDirectory("xray-dciodvfy");
        string path = directory.Combine("report.sr.dcm");
        File.WriteAllBytes(path, sr);
        AssertNoError(path, output);
    }
}
