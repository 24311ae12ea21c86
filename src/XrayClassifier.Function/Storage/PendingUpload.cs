using System.Runtime.InteropServices;
using System.Text.Json;
using XrayClassifier.Function.Configuration;
using XrayClassifier.Function.Native;

namespace XrayClassifier.Function.Storage;

/// <summary>
/// An upload being written to the workspace. Exactly one of <see cref="CommitAsync"/> (after the
/// classification, with its record) or <see cref="AbandonAsync"/> (the request failed) must be awaited;
/// either leaves no temporary file behind, and a failed commit removes whatever it had put in place.
/// </summary>
public sealed class PendingUpload
{
    private const int MaxSuffix = 1000;
    private readonly Workspace _workspace;
    private readonly string _requestId;
    private readonly DateTimeOffset _receivedAt;
    private readonly string _dayDirectory;
    private readonly string _dayRelative;
    private readonly string _tempImage;
    private readonly Task _write;
    private readonly int _imageLength;

    internal PendingUpload(Workspace workspace, string requestId, DateTimeOffset receivedAt,
        string dayDirectory, string dayRelative, ReadOnlyMemory<byte> image)
    {
        _workspace = workspace;
        _requestId = requestId;
        _receivedAt = receivedAt;
        _dayDirectory = dayDirectory;
        _dayRelative = dayRelative;
        // Hidden and suffixed: no reader that lists *.png or *.json ever picks up a half-written file.
        _tempImage = Path.Combine(dayDirectory, $".{requestId}.{Guid.NewGuid():N}.tmp");
        _imageLength = image.Length;
        _write = Task.Run(() => WriteImage(image));
    }

    /// <summary>When the upload was received (names its day folder).</summary>
    public DateTimeOffset ReceivedAt => _receivedAt;

    private void WriteImage(ReadOnlyMemory<byte> image)
    {
        try
        {
            _workspace.EnsureDayDirectory(_dayDirectory);
            try { WriteNew(_tempImage, image.Span); }
            catch (DirectoryNotFoundException)
            {
                // The day folder was removed since it was last seen (a clean-up job): make it again, once.
                _workspace.ForgetDayDirectory();
                _workspace.EnsureDayDirectory(_dayDirectory);
                WriteNew(_tempImage, image.Span);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(_tempImage);
            throw Workspace.Unwritable(_dayDirectory, e);
        }
    }

    /// <summary>
    /// Waits for the image, puts it in place as <c>{id}.{extension}</c> (or <c>{id}_N.{extension}</c> if that
    /// exists) and writes the record beside it. Throws <see cref="PlatformUnavailableException"/> and leaves
    /// nothing behind when the workspace cannot take it.
    /// </summary>
    public async Task<StoredUpload> CommitAsync(string extension, UploadRecord record)
    {
        await _write.ConfigureAwait(false);
        return await Task.Run(() => Commit(extension, record)).ConfigureAwait(false);
    }

    private StoredUpload Commit(string extension, UploadRecord record)
    {
        string? finalImage = null;
        string tempRecord = Path.Combine(_dayDirectory, $".{_requestId}.{Guid.NewGuid():N}.json.tmp");
        try
        {
            for (int n = 1; ; n++)
            {
                string stem = n == 1 ? _requestId : $"{_requestId}_{n}";
                var candidate = Path.Combine(_dayDirectory, $"{stem}.{extension}");
                if (TryMoveNoOverwrite(_tempImage, candidate))
                {
                    finalImage = candidate;
                    WriteNew(tempRecord, Serialize(record, $"{stem}.{extension}"));
                    if (TryMoveNoOverwrite(tempRecord, Path.Combine(_dayDirectory, stem + ".json")))
                        return new StoredUpload($"{_dayRelative}/{stem}.{extension}", $"{_dayRelative}/{stem}.json");

                    // The record's name is taken although the image's was not (an upload in another format under
                    // this id, or a stray file): give the name back and take the next suffix for both.
                    File.Delete(tempRecord);
                    if (!TryMoveNoOverwrite(candidate, _tempImage))
                        throw new IOException($"Cannot move {candidate} back to its temporary name.");
                    finalImage = null;
                }
                if (n >= MaxSuffix) throw new IOException($"{MaxSuffix} uploads with the id {_requestId} already exist.");
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(_tempImage);
            TryDelete(tempRecord);
            if (finalImage is not null) TryDelete(finalImage);
            throw Workspace.Unwritable(_dayDirectory, e);
        }
    }

    /// <summary>The request failed: wait for the write to stop (the image buffer goes back to the pool
    /// afterwards) and remove the temporary file.</summary>
    public async Task AbandonAsync()
    {
        try { await _write.ConfigureAwait(false); }
        catch (PlatformUnavailableException) { }
        TryDelete(_tempImage);
    }

    /// <summary>
    /// Gives the file its final name unless that name exists. File.Move(…, overwrite: false) is not enough:
    /// on Linux .NET checks for the target and then calls rename(2), which replaces a file created in
    /// between. link(2) fails with EEXIST instead, atomically, on local file systems and on EFS (NFSv4), so
    /// of two requests racing for one name exactly one gets it.
    /// </summary>
    private static bool TryMoveNoOverwrite(string from, string to)
    {
        if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS())
        {
            if (Libc.link(from, to) == 0)
            {
                File.Delete(from);
                return true;
            }
            int errno = Marshal.GetLastPInvokeError();
            if (errno == Libc.EEXIST) return false;
            if (!HardLinksUnsupported(errno))
                throw new IOException($"Cannot create {to}: {Marshal.GetPInvokeErrorMessage(errno)}.", errno);
        }
        // A file system without hard links: the best that remains is a check and a move.
        try
        {
            File.Move(from, to, overwrite: false);
            return true;
        }
        catch (IOException) when (File.Exists(to) && File.Exists(from))
        {
            return false;
        }
    }

    /// <summary>EPERM, EXDEV, EMLINK, ENOSYS, EOPNOTSUPP: link(2) is not available here, as opposed to failing.</summary>
    private static bool HardLinksUnsupported(int errno) => errno is 1 or 18 or 31 or 38 or 95;

    private static void WriteNew(string path, ReadOnlySpan<byte> bytes)
    {
        using var handle = File.OpenHandle(path, FileMode.CreateNew, FileAccess.Write, FileShare.None);
        RandomAccess.Write(handle, bytes, 0);
    }

    private static void TryDelete(string path)
    {
        try { File.Delete(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    /// <summary>The DICOM attributes issue 13 allows, and only those: none of them identifies a patient.</summary>
    private static void WriteDicom(Utf8JsonWriter w, Dicom.DicomSummary d, UploadRecord record)
    {
        w.WriteStartObject("dicom");
        bool original = record.DicomStored == DicomStorageMode.Original;
        w.WriteString("stored", original ? "original" : "derivative");
        if (!original) w.WriteNumber("valueOffset", record.DicomValueOffset);
        w.WriteString("transferSyntax", d.TransferSyntaxUid);
        w.WriteString("transferSyntaxName", d.TransferSyntaxName);
        w.WriteString("modality", d.Modality);
        w.WriteString("bodyPartExamined", d.BodyPartExamined);
        w.WriteString("viewPosition", d.ViewPosition);
        w.WriteString("photometricInterpretation", d.PhotometricInterpretation);
        w.WriteNumber("rows", d.Rows);
        w.WriteNumber("columns", d.Columns);
        w.WriteNumber("bitsAllocated", d.BitsAllocated);
        w.WriteNumber("bitsStored", d.BitsStored);
        if (d.PixelSpacing is { } spacing)
        {
            w.WriteStartArray("pixelSpacing");
            w.WriteNumberValue(spacing.Row);
            w.WriteNumberValue(spacing.Column);
            w.WriteEndArray();
        }
        else w.WriteNull("pixelSpacing");
        w.WriteNumber("numberOfFrames", d.NumberOfFrames);
        w.WriteEndObject();
    }

    private byte[] Serialize(UploadRecord record, string fileName)
    {
        using var buffer = new MemoryStream(1024);
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("requestId", record.RequestId);
            w.WriteString("receivedAt", record.ReceivedAt.UtcDateTime);
            w.WriteStartObject("image");
            w.WriteString("file", fileName);
            w.WriteString("format", record.Format);
            w.WriteNumber("bytes", _imageLength);
            w.WriteNumber("width", record.Width);
            w.WriteNumber("height", record.Height);
            w.WriteEndObject();
            w.WriteStartObject("model");
            w.WriteString("name", record.ModelName);
            w.WriteString("version", record.ModelVersion);
            w.WriteEndObject();
            var c = record.Classification;
            w.WriteString("label", c.Label);
            w.WriteNumber("probability", c.Probability);
            w.WriteStartArray("findings");
            foreach (var f in c.Findings) w.WriteStringValue(f);
            w.WriteEndArray();
            w.WriteStartArray("predictions");
            foreach (var p in c.Predictions)
            {
                w.WriteStartObject();
                w.WriteString("label", p.Label);
                w.WriteNumber("probability", p.Probability);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            if (record.Dicom is { } d) WriteDicom(w, d, record);
            w.WriteEndObject();
        }
        return buffer.ToArray();
    }
}
