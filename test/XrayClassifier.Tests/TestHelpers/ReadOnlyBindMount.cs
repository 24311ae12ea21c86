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
        ProcessRunner.Run(new ProcessCommand(program, args), TimeSpan.FromMinutes(1))
            .EnsureSuccess("read-only tests need root and mount(8)");
    }
}
