using System.Diagnostics;

namespace XrayClassifier.Tests.Handler;

/// <summary>
/// Makes a folder read-only for real (root ignores permission bits): bind-mounts it onto itself and
/// remounts the bind read-only. Writes then fail with EROFS, as on a read-only EFS mount. Undone on dispose.
/// </summary>
public sealed class ReadOnlyBindMount : IDisposable
{
    private readonly string _path;
    private bool _mounted;

    public ReadOnlyBindMount(string path)
    {
        _path = path;
        Run("mount", "--bind", path, path);
        _mounted = true;
        Run("mount", "-o", "remount,bind,ro", path);
    }

    /// <summary>Makes the folder writable again (the "recovery" half of a test).</summary>
    public void Release()
    {
        if (!_mounted) return;
        Run("umount", _path);
        _mounted = false;
    }

    public void Dispose() => Release();

    private static void Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        string err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0)
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed ({p.ExitCode}): {err} — read-only tests need root and mount(8).");
    }
}
