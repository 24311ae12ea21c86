using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using CsvHelper;
using CsvHelper.Configuration;

namespace XrayClassifier.Local.S3Batch;

/// <summary>One finished task: its last outcome and how many invocations it took.</summary>
public sealed record TaskReport(BatchTask Task, TaskOutcome Outcome, int Attempts);

/// <summary>
/// A completion report as S3 Batch Operations writes one (format <c>Report_CSV_20180820</c>, all tasks):
/// <c>job-{id}/manifest.json</c> listing a CSV of succeeded and one of failed tasks under <c>job-{id}/results/</c>, each
/// with its MD5. Rows have no header. The manifest's <c>ReportSchema</c> is written as AWS writes it
/// ("Bucket, Key, VersionId, TaskStatus, ErrorCode, HTTPStatusCode, ResultMessage"), but the rows follow AWS's own
/// example reports, whose fifth field is the HTTP status and sixth the error code
/// (<c>bucket,image_14975,,failed,200,PermanentFailure,"Lambda returned function error: …"</c>): readers of real reports
/// go by the example rows. The key is the manifest's, URL-encoded as it came. Locally the report goes to a folder:
/// the manifest's <c>Bucket</c> is that folder.
/// </summary>
public static class CompletionReport
{
    public const string Format = "Report_CSV_20180820";
    public const string Schema = "Bucket, Key, VersionId, TaskStatus, ErrorCode, HTTPStatusCode, ResultMessage";

    /// <summary>The HTTP status of the Lambda Invoke call behind every task here: the invocation itself always succeeds
    /// in-process, whatever the task's result code.</summary>
    private const int InvokeStatus = 200;

    /// <summary>Writes the report; returns the path of its manifest.json.</summary>
    public static string Write(string folder, string jobId, IReadOnlyList<TaskReport> tasks, DateTimeOffset createdAt)
    {
        string jobFolder = $"job-{jobId}";
        Directory.CreateDirectory(Path.Combine(folder, jobFolder, "results"));
        var results = new List<Dictionary<string, string>>();
        foreach (var (status, rows) in new[]
                 {
                     ("succeeded", tasks.Where(t => t.Outcome.Code == TaskResultCode.Succeeded).ToList()),
                     ("failed", tasks.Where(t => t.Outcome.Code != TaskResultCode.Succeeded).ToList()),
                 })
        {
            if (rows.Count == 0) continue;
            byte[] csv = Rows(rows);
            string key = $"{jobFolder}/results/{Convert.ToHexStringLower(SHA1.HashData(csv))}.csv";
            File.WriteAllBytes(Path.Combine(folder, key), csv);
            results.Add(new()
            {
                ["TaskExecutionStatus"] = status,
                ["Bucket"] = Path.GetFullPath(folder),
                ["MD5Checksum"] = Convert.ToHexStringLower(MD5.HashData(csv)),
                ["Key"] = key,
            });
        }

        string manifestPath = Path.Combine(folder, jobFolder, "manifest.json");
        using var stream = File.Create(manifestPath);
        using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        w.WriteStartObject();
        w.WriteString("Format", Format);
        w.WriteString("ReportCreationDate", createdAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
        w.WriteStartArray("Results");
        foreach (var result in results)
        {
            w.WriteStartObject();
            foreach (var (name, value) in result) w.WriteString(name, value);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteString("ReportSchema", Schema);
        w.WriteEndObject();
        return manifestPath;
    }

    private static byte[] Rows(IEnumerable<TaskReport> rows)
    {
        var text = new StringWriter(CultureInfo.InvariantCulture);
        using (var csv = new CsvWriter(text, new CsvConfiguration(CultureInfo.InvariantCulture) { HasHeaderRecord = false }))
        {
            foreach (var row in rows)
            {
                bool succeeded = row.Outcome.Code == TaskResultCode.Succeeded;
                csv.WriteField(row.Task.Bucket);
                csv.WriteField(row.Task.EncodedKey);
                csv.WriteField(row.Task.VersionId ?? "");
                csv.WriteField(succeeded ? "succeeded" : "failed");
                csv.WriteField(InvokeStatus.ToString(CultureInfo.InvariantCulture));
                csv.WriteField(succeeded ? "" : row.Outcome.Code.ToString());
                csv.WriteField(row.Outcome.ResultString);
                csv.NextRecord();
            }
        }
        return Encoding.UTF8.GetBytes(text.ToString());
    }
}
