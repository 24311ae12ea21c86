namespace XrayClassifier.Function.Inference;

/// <summary>
/// What the manifest asks of an answer after the activation: probabilities remapped by
/// "output.calibration" (torchxrayvision's <c>op_norm</c>), output slots labelled "" left out, and
/// findings and order taken again from the remapped values. For a manifest with neither, the
/// classifier's answer passes through untouched, so today's answers stay byte for byte the same.
/// </summary>
internal sealed class AnswerCalibration
{
    private readonly ModelManifest _manifest;
    private readonly Dictionary<string, int> _indexOf = new(StringComparer.Ordinal);
    private readonly IReadOnlyList<float>? _operatingPoints;
    private readonly bool _changesAnswer;

    public AnswerCalibration(ModelManifest manifest)
    {
        _manifest = manifest;
        var labels = manifest.Labels;
        for (int i = 0; i < labels.Count; i++)
            if (labels[i].Length > 0) _indexOf[labels[i]] = i;
        _operatingPoints = manifest.Calibration == CalibrationMethod.OpNorm ? manifest.OperatingPoints : null;
        _changesAnswer = _operatingPoints is not null || _indexOf.Count != labels.Count;
    }

    /// <summary>The answer as the manifest describes it, from the classifier's answer over every output slot.</summary>
    public Classification Apply(Classification raw)
    {
        if (!_changesAnswer) return raw;
        var ranking = new RankedScore[_indexOf.Count];
        int count = 0;
        foreach (var prediction in raw.Predictions)
        {
            if (prediction.Label.Length == 0) continue;
            int index = _indexOf[prediction.Label];
            float p = _operatingPoints is null ? prediction.Probability : OpNorm(prediction.Probability, _operatingPoints[index]);
            ranking[count++] = new RankedScore(p, index);
        }
        Array.Sort(ranking, 0, count);

        var labels = _manifest.Labels;
        var predictions = new Prediction[count];
        var findings = new List<string>();
        for (int i = 0; i < count; i++)
        {
            string label = labels[ranking[i].Index];
            predictions[i] = new Prediction(label, ranking[i].Probability);
            if (ranking[i].Probability >= _manifest.ThresholdFor(label)) findings.Add(label);
        }
        return new Classification(predictions[0].Label, predictions[0].Probability, findings, predictions);
    }

    /// <summary>torchxrayvision's <c>op_norm</c> for one value, in float32 as torch computes it: the operating point
    /// <paramref name="t"/> maps to 0.5, linearly on each side; without one (NaN) the answer is 0.5.</summary>
    public static float OpNorm(float p, float t)
    {
        if (float.IsNaN(t)) return 0.5f;
        return p < t ? p / (t * 2f) : 1f - (1f - p) / ((1f - t) * 2f);
    }
}
