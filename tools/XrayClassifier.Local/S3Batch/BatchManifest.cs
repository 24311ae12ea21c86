using System.Globalization;
using CsvHelper;
using CsvHelper.Configuration;

namespace XrayClassifier.Local.S3Batch;

/// <summary>One object of a job: its bucket, its key exactly as the manifest has it (URL-encoded, as S3 Batch Operations
/// requires keys in a CSV manifest to be, and as it passes them on in <c>s3Key</c>), and its version, if any.</summary>
public sealed record BatchTask(string Bucket, string EncodedKey, string? VersionId);

/// <summary>
/// An S3 Batch Operations CSV manifest (format <c>S3BatchOperations_CSV_20180820</c>): one object a row, <c>Bucket,Key</c>
/// or <c>Bucket,Key,VersionId</c>, no header. A malformed row is refused with its line number rather than skipped: S3
/// refuses such a manifest when the job is created.
/// </summary>
public static class BatchManifest
{
    public static List<BatchTask> Read(TextReader reader)
    {
        var tasks = new List<BatchTask>();
        using var csv = new CsvParser(reader, new CsvConfiguration(CultureInfo.InvariantCulture) { HasHeaderRecord = false });
        while (csv.Read())
        {
            var row = csv.Record ?? [];
            int line = csv.Row;
            if (row.Length is 1 && row[0].Length == 0) continue;   // a trailing empty line
            if (row.Length is < 2 or > 3)
                throw new FormatException($"manifest line {line}: {row.Length} fields; S3 Batch manifests have Bucket,Key or Bucket,Key,VersionId");
            if (row[0].Length == 0 || row[1].Length == 0)
                throw new FormatException($"manifest line {line}: the bucket and the key must not be empty");
            tasks.Add(new BatchTask(row[0], row[1], row.Length == 3 && row[2].Length > 0 ? row[2] : null));
        }
        return tasks;
    }

    /// <summary>A key URL-encoded for a manifest: every byte outside RFC 3986's unreserved set and '/' percent-encoded, so a
    /// space is %20, never '+': AWS's schema 1.0 samples decode '+' as a space, its 2.0 samples as a plus.</summary>
    public static string EncodeKey(string key) => string.Join('/', key.Split('/').Select(Uri.EscapeDataString));
}
