using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Microsoft.Win32.SafeHandles;
using System.Text;
using Microsoft.ML.OnnxRuntime;
using XrayClassifier.Function.Configuration;
using XrayClassifier.Function.Inference.Runtime;

namespace XrayClassifier.Function.Inference;

/// <summary>
/// Graph-optimised copies of models under {root}/cache/, so that later cold starts skip ORT's parsing, graph
/// optimisation and weight copies.
/// <para>
/// An entry is the graph optimised at ORT's highest level (ALL: fusions, then the NCHWc layout and kernels
/// for this CPU), saved in ORT's own format, and opened by reading it into pinned memory that ORT uses in
/// place (<see cref="ModelSession.InPlace(SessionSettings, string)"/>). Measured on the default model, one 2-core machine, 2 threads:
/// session creation 110 ms from such an entry (51 ms since it is read onto huge pages: <see cref="PinnedModelFile"/>), against 326 ms from the earlier entry (the graph optimised at
/// EXTENDED, saved as ONNX, laid out again on every load) and 355 ms from the model itself; the model then
/// runs at the same speed and gives the same outputs as a session made from the model itself.
/// Two measured dead ends: the EXTENDED graph saved in ORT format loads fast but cannot be laid out again
/// after loading (ORT applies no layout step to ORT-format graphs), so it ran 1.5× slower; and starting a
/// miss from an EXTENDED entry, as a CPU-neutral second tier, saved only 30–40 ms of a ~480 ms miss, so there is
/// one kind of entry.
/// </para>
/// <para>
/// Such a graph is specific to the CPU that optimised it (<see cref="CpuIdentity"/>), so the key holds the
/// CPU's description beside the model, ORT's version and the architecture: each CPU kind sharing the EFS gets
/// its own entry on its first cold start, and no CPU ever opens another's.
/// </para>
/// <para>
/// Concurrency: ORT writes to a temp file of ours in the same folder, which is then renamed over the
/// entry, so a reader only ever opens a complete file. Entries are never deleted by the function (on
/// NFS/EFS, unlinking a file another container is reading gives that reader ESTALE); an unusable entry is
/// replaced by a rename. Anything going wrong with the cache degrades to "no cache", never to a failure.
/// </para>
/// </summary>
internal sealed class OptimizedModelCache(string directory)
{
    /// <summary>Bump when the key, the saved level or the file layout changes: old entries are then ignored.</summary>
    private const string KeyFormat = "xray-optimized-model/v2";
    private const GraphOptimizationLevel SavedLevel = GraphOptimizationLevel.ORT_ENABLE_ALL;

    private static readonly TimeSpan AbandonedAfter = TimeSpan.FromMinutes(15);

    private const int EdgeBytes = 64 * 1024;
    private const int SampleBytes = 4 * 1024;
    private const int SampleCount = 32;

    public string Directory { get; } = directory;

    /// <summary>
    /// Creates the session for <paramref name="modelPath"/> at level ALL, from the cache when it holds a
    /// usable entry, saving one otherwise. ORT must be loaded (<see cref="OnnxRuntimeLibrary.Load"/>), and
    /// <paramref name="ortVersion"/> is its native version. Throws <see cref="OnnxRuntimeException"/> only
    /// when the original model itself cannot be loaded.
    /// </summary>
    public ModelSession Open(string ortVersion, string modelPath, string modelName, int intraOpThreads, out OptimizedModelCacheOutcome outcome) =>
        Open(ortVersion, new SessionModel(modelPath), modelName, intraOpThreads, out outcome);

    /// <summary>An entry's bytes read ahead of <see cref="Open(string, SessionModel, string, int, out OptimizedModelCacheOutcome, EntryBytes?)"/>.</summary>
    public sealed record EntryBytes(string Path, byte[] Bytes);

    /// <summary>
    /// Reads the entry <see cref="Open(string, SessionModel, string, int, out OptimizedModelCacheOutcome, EntryBytes?)"/>
    /// would open for these arguments, without ORT, so that a cold start can read it while ORT loads. Null when
    /// there is no entry or it cannot be read: Open then decides as it would have.
    /// </summary>
    public EntryBytes? ReadAhead(string ortVersion, SessionModel model, string modelName)
    {
        try
        {
            string entry = EntryPath(model.Path, modelName, ortVersion, model.Variant);
            return File.Exists(entry) ? new EntryBytes(entry, PinnedModelFile.Read(entry)) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>As above, for the file or a variant of it (<see cref="SessionModel"/>); a variant has an entry of its own.
    /// <paramref name="readAhead"/>, from <see cref="ReadAhead"/>, is used only if it is the entry this call opens.</summary>
    public ModelSession Open(string ortVersion, SessionModel model, string modelName, int intraOpThreads, out OptimizedModelCacheOutcome outcome,
        EntryBytes? readAhead = null)
    {
        var serving = new SessionSettings(intraOpThreads, SavedLevel);

        string entry;
        try
        {
            entry = EntryPath(model.Path, modelName, ortVersion, model.Variant);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            outcome = new(false, $"no cache: the model file could not be fingerprinted ({e.Message})", null);
            return ModelSession.Owning(model.CreateSession(serving));
        }

        string? previousProblem = null;
        if (File.Exists(entry))
        {
            try
            {
                bool ahead = readAhead is { } bytes && bytes.Path == entry;
                var cached = ahead ? ModelSession.InPlace(serving, readAhead!.Bytes) : ModelSession.InPlace(serving, entry);
                outcome = new(true, $"hit{(ahead ? " (read while ONNX Runtime loaded)" : "")}: {entry}", entry);
                return cached;
            }
            catch (Exception e) when (e is OnnxRuntimeException or IOException or UnauthorizedAccessException)
            {
                previousProblem = $"cached entry unusable ({e.Message.Trim()}), rebuilt";
            }
        }

        if (!TryReserveTempFile(entry, out string? temp, out string? why))
        {
            outcome = new(false, $"miss, not saved: {why}" + (previousProblem is null ? "" : $"; {previousProblem}"), entry);
            return ModelSession.Owning(model.CreateSession(serving));
        }

        // ORT writes the optimised graph while creating this session, and the session is the one that serves:
        // the same level, the same graph as a later cold start will read from the entry.
        InferenceSession? session = null;
        string savedBy = "this cold start";
        try
        {
            session = model.CreateSession(serving with { SaveOptimizedModelTo = temp });
            if (new FileInfo(temp).Length == 0) throw new IOException($"ONNX Runtime wrote nothing to {temp}");

            // Another cold start may have finished first: keep its file rather than replacing a file that
            // somebody may be reading. Replace only an entry found unusable above.
            if (previousProblem is null && File.Exists(entry))
            {
                File.Delete(temp);
                savedBy = "another cold start, meanwhile";
            }
            else
            {
                File.Move(temp, entry, overwrite: true);
            }
        }
        catch (Exception e) when (e is OnnxRuntimeException or IOException or UnauthorizedAccessException)
        {
            TryDelete(temp);
            // Saving failed but the session may be fine; else a model ORT cannot load at all fails here again, with ORT's own message.
            session ??= model.CreateSession(serving);
            outcome = new(false, $"miss, not saved: {e.Message.Trim()}" + (previousProblem is null ? "" : $"; {previousProblem}"), entry);
            return ModelSession.Owning(session);
        }

        outcome = new(false, $"miss: saved {entry}" + (savedBy == "this cold start" ? "" : $" (by {savedBy})") + (previousProblem is null ? "" : $"; {previousProblem}"), entry);
        return ModelSession.Owning(session);
    }

    /// <summary>
    /// The cache file for this model file, ORT version, CPU architecture and CPU kind.
    /// <para>
    /// Why the model is not hashed whole: on a hit ORT never reads the original model, and SHA-256 over all of the
    /// 28 MB default model took 45–90 ms with the file in the page cache (on a cold Lambda it would first have to
    /// read the 28 MB from EFS) — most of what a hit saves. The key is therefore the file's size and modification
    /// time (what make and rsync trust) plus a hash of ~200 KiB sampled from it: the first and last 64 KiB (graph,
    /// inputs/outputs) and 32 blocks of 4 KiB spread over the weights, so retrained weights of the same size change
    /// the key even when a copy kept the old timestamp. That costs 1–2 ms. ORT's version, the architecture and the
    /// CPU's description (<see cref="CpuIdentity"/>) are in the key too.
    /// </para>
    /// </summary>
    public string EntryPath(string modelPath, string modelName, string ortVersion, string variant = "")
    {
        string rid = EfsLayout.RuntimeIdentifier;
        string key = ComputeKey(modelPath, ortVersion, rid, CpuIdentity.Current, variant);
        return Path.Combine(Directory, $"{modelName}.ort-{ortVersion}.{rid}.{key}{(variant.Length > 0 ? "." + variant : "")}.ort");
    }

    // cpu: CpuIdentity's description. variant: "" for the model file as it is; a variant's own tag (naming what was changed) otherwise.
    internal static string ComputeKey(string modelPath, string ortVersion, string architecture, string cpu, string variant = "")
    {
        using var file = File.OpenHandle(modelPath, FileMode.Open, FileAccess.Read, FileShare.Read);
        // From the open handle (fstat), so a symlinked model is keyed by the file it points to.
        long length = RandomAccess.GetLength(file);
        DateTime modified = File.GetLastWriteTimeUtc(file);

        var hash = new Fnv1aHash();
        hash.Append(Encoding.UTF8.GetBytes(string.Join('\n',
            KeyFormat, ortVersion, architecture, SavedLevel.ToString(),
            length.ToString(CultureInfo.InvariantCulture),
            modified.Ticks.ToString(CultureInfo.InvariantCulture), cpu, "variant:" + variant, "")));

        byte[] buffer = ArrayPool<byte>.Shared.Rent(EdgeBytes);
        try
        {
            AppendRange(ref hash, file, buffer, 0, EdgeBytes, length);
            AppendRange(ref hash, file, buffer, Math.Max(0, length - EdgeBytes), EdgeBytes, length);
            for (int i = 1; i <= SampleCount; i++)
                AppendRange(ref hash, file, buffer, length * i / (SampleCount + 1), SampleBytes, length);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        return hash.Value.ToString("x16", CultureInfo.InvariantCulture);
    }

    private static void AppendRange(ref Fnv1aHash hash, SafeFileHandle file, byte[] buffer, long offset, int count, long length)
    {
        count = (int)Math.Min(count, Math.Max(0, length - offset));
        int filled = 0;
        while (filled < count)
        {
            int read = RandomAccess.Read(file, buffer.AsSpan(filled, count - filled), offset + filled);
            if (read == 0) break;
            filled += read;
        }
        hash.Append(buffer.AsSpan(0, filled));
    }

    private bool TryReserveTempFile(string entry, [NotNullWhen(true)] out string? temp, [NotNullWhen(false)] out string? why)
    {
        temp = $"{entry}.{Environment.ProcessId}-{Guid.NewGuid():N}.tmp";
        try
        {
            System.IO.Directory.CreateDirectory(Directory);
            RemoveAbandonedTempFiles(entry);
            // Proves the folder is writable before ORT spends time optimising; ORT then overwrites the file.
            using (new FileStream(temp, FileMode.CreateNew, FileAccess.Write)) { }
            why = null;
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            why = $"the cache folder {Directory} is not writable ({e.Message})";
            temp = null;
            return false;
        }
    }

    /// <summary>
    /// Temp files left by cold starts that died while saving (Lambda ends an INIT phase after 10 s; a save
    /// takes well under that). Only files of this entry, and only old ones, so a save in progress elsewhere
    /// is never touched.
    /// </summary>
    private void RemoveAbandonedTempFiles(string entry)
    {
        var cutoff = DateTime.UtcNow - AbandonedAfter;
        foreach (string file in System.IO.Directory.EnumerateFiles(Directory, Path.GetFileName(entry) + ".*.tmp"))
        {
            if (File.GetLastWriteTimeUtc(file) < cutoff) TryDelete(file);
        }
    }

    private static void TryDelete(string? path)
    {
        if (path is null) return;
        try { File.Delete(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }
}
