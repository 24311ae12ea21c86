using XrayClassifier.Function.Configuration;
using XrayClassifier.Function.Dicom;
using XrayClassifier.Function.Dicom.StructuredReport;
using XrayClassifier.Function.Storage;

namespace XrayClassifier.Function.Delivery;

/// <summary>
/// The reports the results destination has not taken yet: <c>{root}/workspace/outbox/{requestId}.dcm</c>, each a whole Part 10
/// file (written under a hidden name, then moved into place), sent again by a later delivery (<see cref="ResultsDelivery"/>)
/// and removed once stored. They hold patient data (they are the SRs the PACS should have had): the outbox is the one part
/// of the workspace that does, and only until the destination takes them.
/// <para>Concurrent requests share it: a report is claimed by renaming it to <c>.sending</c> (atomic on EFS as on any POSIX
/// file system), so two requests never send the same one; a claim older than Lambda's longest invocation (15 minutes) was
/// left by an environment that ended mid-send and is taken back.</para>
/// </summary>
internal sealed class ResultsOutbox(EfsLayout layout, TimeProvider clock)
{
    public const string Folder = "outbox";
    private const string Extension = ".dcm";
    private const string Claimed = ".sending";
    private static readonly TimeSpan AbandonedClaim = TimeSpan.FromMinutes(15);

    public string Directory => Path.Combine(layout.WorkspaceDirectory, Folder);

    /// <summary>Keeps <paramref name="report"/> under <paramref name="name"/> (a request id); returns its path relative to the
    /// EFS root (<c>workspace/outbox/{name}.dcm</c>), or null when it could not be written (the reason is thrown away: the
    /// caller logs that the report is lost).</summary>
    public string? Keep(string name, ReportFile report)
    {
        if (!Workspace.IsSafeName(name)) throw new ArgumentException("Outbox names are request ids: [A-Za-z0-9-]{1,128}.", nameof(name));
        try
        {
            layout.EnsureMounted("reports cannot be kept");
            System.IO.Directory.CreateDirectory(Directory);
            string temporary = Path.Combine(Directory, $".{name}.{Guid.NewGuid():N}.tmp");
            File.WriteAllBytes(temporary, report.File);
            for (int n = 1; ; n++)
            {
                string file = n == 1 ? name + Extension : $"{name}_{n}{Extension}";
                try
                {
                    File.Move(temporary, Path.Combine(Directory, file), overwrite: false);
                    return $"workspace/{Folder}/{file}";
                }
                catch (IOException) when (n < 100 && File.Exists(Path.Combine(Directory, file)))
                {
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or PlatformUnavailableException)
        {
            return null;
        }
    }

    /// <summary>Claims up to <paramref name="count"/> kept reports, oldest first, for sending; each must be
    /// <see cref="Sent"/> or <see cref="Release"/>d.</summary>
    public IReadOnlyList<KeptReport> Claim(int count, DicomLimits limits)
    {
        var claimed = new List<KeptReport>();
        FileInfo[] files;
        try
        {
            var folder = new DirectoryInfo(Directory);
            if (!folder.Exists) return claimed;
            var now = clock.GetUtcNow().UtcDateTime;
            foreach (var stale in folder.EnumerateFiles("*" + Extension + Claimed).Where(f => now - f.LastWriteTimeUtc > AbandonedClaim))
                TryMove(stale.FullName, stale.FullName[..^Claimed.Length]);
            files = [.. folder.EnumerateFiles("*" + Extension).OrderBy(f => f.LastWriteTimeUtc).ThenBy(f => f.Name, StringComparer.Ordinal)];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return claimed;
        }
        foreach (var file in files)
        {
            if (claimed.Count == count) break;
            string claim = file.FullName + Claimed;
            // Another request took it first, or it went: either way, not ours.
            if (!TryMove(file.FullName, claim)) continue;
            try
            {
                // Touch the claim, so that its age is the claim's, not the report's.
                File.SetLastWriteTimeUtc(claim, clock.GetUtcNow().UtcDateTime);
                var bytes = File.ReadAllBytes(claim);
                var (_, sopClass, sopInstance) = Part10Parser.ReadMeta(bytes, limits);
                string? study = Part10Parser.Parse(bytes, limits).Identity.StudyInstanceUid;
                if (sopClass is null || sopInstance is null || study is null) throw new DicomRejectedException(DicomRejection.Malformed, "no UIDs");
                claimed.Add(new KeptReport(claim, new ReportFile(bytes, sopClass, sopInstance, study)));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or DicomRejectedException)
            {
                // Unreadable: put it back for a person to look at rather than sending or deleting it.
                TryMove(claim, file.FullName + ".unreadable");
            }
        }
        return claimed;
    }

    /// <summary>The destination took it: it goes.</summary>
    public static void Sent(KeptReport kept)
    {
        try { File.Delete(kept.ClaimPath); } catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    /// <summary>Not sent: back in the outbox for the next delivery.</summary>
    public static void Release(KeptReport kept) => TryMove(kept.ClaimPath, kept.ClaimPath[..^Claimed.Length]);

    /// <summary>How many reports wait (claimed or not).</summary>
    public int Count()
    {
        try
        {
            return System.IO.Directory.Exists(Directory)
                ? System.IO.Directory.EnumerateFiles(Directory).Count(f => f.EndsWith(Extension, StringComparison.Ordinal) || f.EndsWith(Extension + Claimed, StringComparison.Ordinal))
                : 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
    }

    private static bool TryMove(string from, string to)
    {
        try
        {
            File.Move(from, to, overwrite: false);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}

/// <summary>A report taken from the outbox to send: where its claim is, and the report.</summary>
internal sealed record KeptReport(string ClaimPath, ReportFile Report);
