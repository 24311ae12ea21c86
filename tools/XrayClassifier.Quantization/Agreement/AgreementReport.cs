using System.Globalization;
using System.Text;
using System.Text.Json.Serialization;
using XrayClassifier.Function.Classification;
using XrayClassifier.Function.Inference;

namespace XrayClassifier.Quantization.Agreement;

/// <summary>One finding's agreement between the fp32 and the int8 model over the held-out images.</summary>
public sealed record FindingAgreement(
    string Finding, float Threshold, double MaxAbsDeltaP, double MeanAbsDeltaP, double MaxAbsDeltaLogit, double MeanAbsDeltaLogit,
    int Flips, int FlipsOutsideMargin, double AurocFp32, double AurocInt8);

/// <summary>
/// The int8 model against its fp32 source on images never used for calibration: per finding the largest and mean
/// |Δp| and |Δlogit| (p as the answer gives it: activation, calibration and thresholds from the manifest),
/// how many answers crossed the threshold (and how many of those were further than <see cref="Margin"/> from it),
/// and, with labels, AUROC of each model. Random or synthetic images bound quantisation error, not clinical
/// performance: validate on your own labelled studies before clinical use.
/// </summary>
public sealed record AgreementReport(int Images, IReadOnlyList<FindingAgreement> Findings)
{
    /// <summary>A flip this close to the threshold is expected of any perturbation; one further away is a failure.</summary>
    public const double Margin = 0.02;

    public double MaxAbsDeltaP => Findings.Count == 0 ? 0 : Findings.Max(f => f.MaxAbsDeltaP);
    public double MeanAbsDeltaP => Findings.Count == 0 ? 0 : Findings.Average(f => f.MeanAbsDeltaP);
    public double MaxAbsDeltaLogit => Findings.Count == 0 ? 0 : Findings.Max(f => f.MaxAbsDeltaLogit);
    public int Flips => Findings.Sum(f => f.Flips);
    public int FlipsOutsideMargin => Findings.Sum(f => f.FlipsOutsideMargin);

    public static AgreementReport Measure(ModelManifest manifest, IReadOnlyList<(string Image, float[] Fp32, float[] Int8)> outputs,
        IReadOnlyDictionary<(string Image, string Finding), bool>? labels = null)
    {
        var reader = new ScoreReader(manifest);
        var perFinding = new Dictionary<string, List<(string Image, Prediction Fp32, Prediction Int8)>>();
        foreach (var (image, fp32, int8) in outputs)
        {
            var a = reader.Read(fp32).Predictions.ToDictionary(p => p.Label);
            foreach (var q in reader.Read(int8).Predictions)
            {
                if (!perFinding.TryGetValue(q.Label, out var list)) perFinding[q.Label] = list = [];
                list.Add((image, a[q.Label], q));
            }
        }
        var findings = new List<FindingAgreement>();
        foreach (var label in manifest.AnswerLabels)
        {
            if (!perFinding.TryGetValue(label, out var rows)) continue;
            var dp = rows.Select(r => Math.Abs((double)r.Fp32.Probability - r.Int8.Probability)).ToArray();
            var dl = rows.Select(r => Math.Abs(Logit(r.Fp32.Probability) - Logit(r.Int8.Probability))).ToArray();
            var flips = rows.Where(r => r.Fp32.IsFinding != r.Int8.IsFinding).ToArray();
            int outside = flips.Count(r => Math.Abs(r.Fp32.Probability - r.Fp32.Threshold) > Margin);
            double aFp32 = double.NaN, aInt8 = double.NaN;
            if (labels is not null)
            {
                var labelled = rows.Where(r => labels.ContainsKey((r.Image, label))).ToArray();
                aFp32 = LabelsCsv.Auroc(labelled.Select(r => (r.Fp32.Probability, labels[(r.Image, label)])).ToArray());
                aInt8 = LabelsCsv.Auroc(labelled.Select(r => (r.Int8.Probability, labels[(r.Image, label)])).ToArray());
            }
            findings.Add(new FindingAgreement(label, rows[0].Fp32.Threshold, dp.Max(), dp.Average(), dl.Max(), dl.Average(), flips.Length, outside, aFp32, aInt8));
        }
        return new AgreementReport(outputs.Count, findings);
    }

    // Probabilities of 0 or 1 have no finite logit; clamp as torch's logit(eps) does.
    private static double Logit(float p)
    {
        double q = Math.Clamp(p, 1e-7, 1 - 1e-7);
        return Math.Log(q / (1 - q));
    }

    /// <summary>One line: the figures the manifest records.</summary>
    public string Headline => string.Create(CultureInfo.InvariantCulture,
        $"int8 against fp32 on {Images} held-out image(s): max |Δp| {MaxAbsDeltaP:F4}, mean |Δp| {MeanAbsDeltaP:F5}, max |Δlogit| {MaxAbsDeltaLogit:F4}, threshold flips {Flips} ({FlipsOutsideMargin} further than {Margin} from the threshold)");

    public string ToText()
    {
        var ci = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine(Headline);
        sb.AppendLine("finding                      threshold  max|Δp|  mean|Δp|  max|Δlogit|  flips  AUROC fp32  AUROC int8");
        foreach (var f in Findings)
            sb.AppendLine(ci, $"{f.Finding,-28} {f.Threshold,9:F3}  {f.MaxAbsDeltaP,7:F4}  {f.MeanAbsDeltaP,8:F5}  {f.MaxAbsDeltaLogit,11:F4}  {f.Flips,5}  {LabelsCsv.Format(f.AurocFp32),10}  {LabelsCsv.Format(f.AurocInt8),10}");
        sb.AppendLine("Synthetic or unlabelled images bound the quantisation error only: validate the int8 model on your own labelled studies before clinical use.");
        return sb.ToString();
    }
}
