using System.Diagnostics;
using XrayClassifier.Function.Classification;
using XrayClassifier.Function.Configuration;
using XrayClassifier.Function.Dicom;
using XrayClassifier.Function.Dicom.StructuredReport;
using XrayClassifier.Function.Http.Answers;
using XrayClassifier.Function.Observability;

namespace XrayClassifier.Function.Delivery;

/// <summary>
/// Stores each Structured Report made for a DICOM upload or a STOW-RS instance on the results destination
/// (<c>XRAY_RESULTS_STOW_URL</c>), within the invocation's remaining time. A failed delivery never fails the
/// classification: the report is kept in the outbox (<see cref="ResultsOutbox"/>), the answer and the log line say so, and
/// the next delivery that succeeds sends kept reports again (oldest first, as many as the time left allows, at most
/// <see cref="ResendPerDelivery"/>) — so a destination that was down gets every report once it is back.
/// </summary>
internal sealed class ResultsDelivery(ResultsDestinationSettings settings, ResultsOutbox outbox, StowRsClient client, RequestLog log)
{
    /// <summary>Kept reports sent again after one successful delivery: each is one small STOW-RS request (tens of ms on a
    /// LAN), so four keep a request's added time small while an outbox drains quickly under normal traffic.</summary>
    public const int ResendPerDelivery = 4;

    /// <summary>Time left for writing the answer after the last delivery: Lambda ends the invocation at its deadline, answered or not.</summary>
    public static readonly TimeSpan AnswerReserve = TimeSpan.FromSeconds(1);

    /// <summary>An SR is under a megabyte; its own parse limits only guard against a damaged kept file.</summary>
    private static readonly DicomLimits KeptLimits = DicomLimits.For(16 << 20, 1);

    public bool IsConfigured => settings.IsConfigured;

    /// <summary>Makes the report of <paramref name="outcome"/> (a DICOM upload), stores it, and keeps it under
    /// <paramref name="name"/> (the request's or the instance's id) if that fails.</summary>
    /// <param name="outcome">The classification of a DICOM upload.</param>
    /// <param name="name">The request's id, or the STOW-RS instance's (<c>{requestId}-{part}</c>): the kept report's name.</param>
    /// <param name="entry">The request's log entry: counts and the failure's slug.</param>
    /// <param name="remaining">The invocation's remaining time (<see cref="Http.RequestContext.RemainingTime"/>), read now; null when
    /// the host does not say (then only the setting's timeout bounds it).</param>
    public async Task<(ReportFile Report, DeliveryReport Delivery)> DeliverAsync(ClassificationOutcome outcome, string name,
        Func<TimeSpan?> remaining, RequestLogEntry entry)
    {
        var report = DicomSrClassificationAnswer.Report(outcome, DateTimeOffset.UtcNow);
        long start = Stopwatch.GetTimestamp();
        var stow = await client.StoreAsync(report, Budget(remaining())).ConfigureAwait(false);
        DeliveryReport delivery;
        if (stow.Stored)
        {
            entry.ResultsStored = (entry.ResultsStored ?? 0) + 1;
            delivery = new DeliveryReport(true, null, null, null);
            await ResendKeptAsync(remaining, entry).ConfigureAwait(false);
        }
        else
        {
            entry.ResultsFailed = (entry.ResultsFailed ?? 0) + 1;
            entry.ResultsFailure = stow.Failure;
            string? kept = outbox.Keep(name, report);
            if (kept is null) log.Warning(name, "a report the results destination did not take could not be kept either", "results-delivery", stow.Failure!);
            delivery = new DeliveryReport(false, stow.Failure, stow.Detail, kept);
        }
        entry.ResultsMs = (entry.ResultsMs ?? 0) + Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        return (report, delivery);
    }

    /// <summary>Sends kept reports while the destination takes them and time is left; stops at the first failure.</summary>
    private async Task ResendKeptAsync(Func<TimeSpan?> remaining, RequestLogEntry entry)
    {
        var claimed = outbox.Claim(ResendPerDelivery, KeptLimits);
        bool failed = false;
        foreach (var kept in claimed)
        {
            if (!failed && (await client.StoreAsync(kept.Report, Budget(remaining())).ConfigureAwait(false)).Stored)
            {
                ResultsOutbox.Sent(kept);
                entry.ResultsResent = (entry.ResultsResent ?? 0) + 1;
            }
            else
            {
                failed = true;
                ResultsOutbox.Release(kept);
            }
        }
    }

    /// <summary>The setting's timeout, capped by the time left minus <see cref="AnswerReserve"/>.</summary>
    private TimeSpan Budget(TimeSpan? remaining) =>
        remaining is { } left && left - AnswerReserve < settings.Timeout ? left - AnswerReserve : settings.Timeout;
}
