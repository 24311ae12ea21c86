using System.Text.RegularExpressions;
using XrayClassifier.Function.Configuration;

namespace XrayClassifier.Function.Storage;

/// <summary>
/// Stores uploads on EFS as <c>{root}/workspace/{yyyy}/{MM}/{dd}/{requestId}.{ext}</c> with
/// <c>{requestId}.json</c> beside it. Files are written under a hidden temporary name and then linked into
/// place without overwriting, so readers only ever see whole files and a repeated request id gets a
/// suffix (<c>{id}_2.png</c>) instead of replacing an earlier upload. Only the sanitised request id and the
/// detected format name the files: nothing the client sent becomes part of a path.
/// </summary>
public sealed partial class Workspace
{
    private readonly EfsLayout _layout;
    private readonly TimeProvider _clock;
    private volatile string? _lastDayDirectory;

    public Workspace(EfsLayout layout, TimeProvider clock)
    {
        _layout = layout;
        _clock = clock;
    }

    /// <summary>Request ids that may name files: what API Gateway's ids look like (a UUID) and nothing else.</summary>
    public static bool IsSafeName(string? id) => id is { Length: > 0 and <= 128 } && SafeName().IsMatch(id);

    [GeneratedRegex("^[A-Za-z0-9-]+$")]
    private static partial Regex SafeName();

    /// <summary>
    /// Starts writing <paramref name="image"/> to a temporary file at once (it overlaps the classification);
    /// <see cref="PendingUpload.CommitAsync"/> or <see cref="PendingUpload.AbandonAsync"/> finishes it.
    /// <paramref name="image"/> must stay valid until then.
    /// </summary>
    public PendingUpload Begin(string requestId, ReadOnlyMemory<byte> image)
    {
        if (!IsSafeName(requestId)) throw new ArgumentException("Request ids that name files must match [A-Za-z0-9-]{1,128}.", nameof(requestId));
        var now = _clock.GetUtcNow();
        var dayRelative = $"{now:yyyy}/{now:MM}/{now:dd}";
        var dayDirectory = Path.Combine(_layout.WorkspaceDirectory, now.ToString("yyyy"), now.ToString("MM"), now.ToString("dd"));
        return new PendingUpload(this, requestId, now, dayDirectory, "workspace/" + dayRelative, image);
    }

    /// <summary>Whether an upload could be stored now: writes and removes a probe file (for /health).</summary>
    public (bool Writable, string? Detail) Probe()
    {
        try
        {
            _layout.EnsureMounted("uploads cannot be stored");
            System.IO.Directory.CreateDirectory(_layout.WorkspaceDirectory);
            var probe = Path.Combine(_layout.WorkspaceDirectory, $".probe-{Guid.NewGuid():N}");
            using (File.Open(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None)) { }
            File.Delete(probe);
            return (true, null);
        }
        catch (PlatformUnavailableException e) { return (false, e.Message); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return (false, Unwritable(_layout.WorkspaceDirectory, e).Message); }
    }

    internal void EnsureDayDirectory(string dayDirectory)
    {
        if (ReferenceEquals(_lastDayDirectory, dayDirectory) || _lastDayDirectory == dayDirectory) return;
        _layout.EnsureMounted("uploads cannot be stored");
        System.IO.Directory.CreateDirectory(dayDirectory);
        _lastDayDirectory = dayDirectory;
    }

    internal void ForgetDayDirectory() => _lastDayDirectory = null;

    internal static PlatformUnavailableException Unwritable(string where, Exception e) =>
        e as PlatformUnavailableException ?? new PlatformUnavailableException("workspace",
            $"Uploads cannot be written to {where}: {e.Message} The EFS access point must allow writes (the role needs " +
            "elasticfilesystem:ClientWrite, the file system must not be mounted read-only) and its POSIX uid/gid must own " +
            "the workspace folder. Or set XRAY_STORE_UPLOADS=optional (answer without storing) or off.", e);
}
