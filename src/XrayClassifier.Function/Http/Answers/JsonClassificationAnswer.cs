using System.Diagnostics;
using XrayClassifier.Function.ApiGateway;

namespace XrayClassifier.Function.Http.Answers;

/// <summary>The default representation, <c>application/json</c>: every finding with its probability and threshold, the
/// model, the image, what was read of a DICOM upload, heatmaps when asked, and where the time went (API.md).</summary>
internal sealed class JsonClassificationAnswer : IClassificationAnswer
{
    public string MediaType => Responses.Json;

    public ProxyResponse Answer(ClassifiedRequest classified)
    {
        var (result, manifest, stored) = (classified.Outcome.Result, classified.Outcome.Manifest, classified.Outcome.StoredPath);
        var scores = result.Scores;
        var predictions = new PredictionAnswer[scores.Predictions.Count];
        for (int i = 0; i < predictions.Length; i++)
        {
            var p = scores.Predictions[i];
            predictions[i] = new PredictionAnswer { Label = p.Label, Probability = p.Probability, Threshold = p.Threshold };
        }
        var heatmaps = HeatmapQuery.Answers(result, manifest.Input, out double drawMs);
        double? heatmapMs = heatmaps is null ? null : result.HeatmapMs + drawMs;
        long previewStart = Stopwatch.GetTimestamp();
        var preview = classified.Preview is { } withLevels && result.Image.Preview(withLevels) is { } made ? PreviewAnswer.For(made) : null;
        double? previewMs = preview is null ? null : Stopwatch.GetElapsedTime(previewStart).TotalMilliseconds;
        var entry = classified.Log;
        double total = Stopwatch.GetElapsedTime(classified.StartTimestamp).TotalMilliseconds;
        entry.TotalMs = total;
        var answer = new ClassifyAnswer
        {
            Label = scores.Label,
            Probability = scores.Probability,
            Findings = scores.Findings,
            Predictions = predictions,
            Model = new ModelAnswer { Name = manifest.DisplayName, Version = manifest.Version, Notice = manifest.Notice },
            Image = new ImageAnswer { Format = result.Image.Format.Name, Width = result.Image.Width, Height = result.Image.Height, Stored = stored, S3Key = classified.S3Key },
            Dicom = result.Image.Dicom is { } read ? DicomAnswer.For(read.Summary) : null,
            Warnings = result.Image.Dicom?.Warnings.Select(w => new WarningAnswer { Code = w.Code, Message = w.Message }).ToArray(),
            Delivery = classified.Delivery is { } delivery ? DeliveryAnswer.For(delivery) : null,
            RequestId = classified.RequestId,
            TimingsMs = new TimingsAnswer { Decode = Timing.Round(result.DecodeMs), Inference = Timing.Round(result.InferenceMs), Heatmap = heatmapMs is { } h ? Timing.Round(h) : null, Preview = previewMs is { } pm ? Timing.Round(pm) : null, Total = Timing.Round(total) },
            Heatmaps = heatmaps,
            Preview = preview,
        };
        var response = Responses.Create(200, answer, AnswerJsonContext.Readable.ClassifyAnswer, Responses.Json, classified.RequestId);
        response.Headers["Server-Timing"] = Timing.ServerTiming(entry.BodyMs ?? 0, result.DecodeMs, result.InferenceMs, heatmapMs, total, previewMs);
        return response;
    }
}
