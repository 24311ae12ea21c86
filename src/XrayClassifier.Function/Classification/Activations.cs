using XrayClassifier.Function.Inference;

namespace XrayClassifier.Function.Classification;

/// <summary>Raw model output → probabilities, without overflow for large logits.</summary>
internal static class Activations
{
    public static void Apply(OutputActivation activation, ReadOnlySpan<float> raw, Span<float> probabilities)
    {
        switch (activation)
        {
            case OutputActivation.None:
                raw.CopyTo(probabilities);
                break;
            case OutputActivation.Sigmoid:
                for (int i = 0; i < raw.Length; i++) probabilities[i] = Sigmoid(raw[i]);
                break;
            case OutputActivation.Softmax:
                Softmax(raw, probabilities);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(activation), activation, null);
        }
    }

    /// <summary>exp of a negative number only, so a logit of ±1000 gives 0 or 1 rather than NaN.</summary>
    public static float Sigmoid(float x)
    {
        if (x >= 0) return 1f / (1f + MathF.Exp(-x));
        float e = MathF.Exp(x);
        return e / (1f + e);
    }

    /// <summary>Shifted by the maximum so no exponent is positive; the sum is kept in double.</summary>
    public static void Softmax(ReadOnlySpan<float> raw, Span<float> probabilities)
    {
        float max = float.NegativeInfinity;
        foreach (float x in raw)
        {
            if (float.IsNaN(x)) { probabilities[..raw.Length].Fill(float.NaN); return; }
            if (x > max) max = x;
        }
        double sum = 0;
        for (int i = 0; i < raw.Length; i++)
        {
            float e = float.IsPositiveInfinity(max) ? (raw[i] == max ? 1f : 0f) : MathF.Exp(raw[i] - max);
            probabilities[i] = e;
            sum += e;
        }
        float scale = (float)(1.0 / sum);
        for (int i = 0; i < raw.Length; i++) probabilities[i] *= scale;
    }
}
