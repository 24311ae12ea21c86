using System.Diagnostics;

namespace XrayClassifier.Tests.TestHelpers;

/// <summary>
/// Makes a folder read-only the way an EFS access point or a read-only mount is, for root too (chmod does
/// not stop root): bind-mounts the folder onto itself and remounts it read-only; unmounts on dispose.
/// </summary>
public sealed class ReadOnlyBindMount : IDisposable
{
    public ReadOnlyBindMount(string folder)
    {
        Folder = folder;
        Run("mount", "--bind", folder, folder);
        try
        {
            Run("mount", "-o", "remount,bind,ro", folder);
        }
        catch
        {
            Run("umount", folder);
            throw;
        }
    }

    public string Folder { get; }

    public void Dispose() => Run("umount", Folder);

    private static void Run(string program, params string[] args)
    {
        var psi = new ProcessStartInfo(program) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        string err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0)
            throw new InvalidOperationException($"{program} {string.Join(' ', args)} failed ({p.ExitCode}): {err.Trim()}. Read-only tests need root and mount(8).");
    }
}
