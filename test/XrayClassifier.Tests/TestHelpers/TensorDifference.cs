namespace XrayClassifier.Tests.TestHelpers;

/// <summary>How far a tensor is from its reference, element by element: the largest and the mean absolute difference,
/// and where the largest is (the fidelity reports print it).</summary>
internal readonly record struct TensorDifference(double Max, double Mean, int Worst)
{
    public static TensorDifference Of(ReadOnlySpan<float> tensor, ReadOnlySpan<float> reference)
    {
        if (tensor.Length != reference.Length) throw new ArgumentException($"{tensor.Length} elements against {reference.Length}");
        double max = 0, sum = 0;
        int worst = 0;
        for (int i = 0; i < tensor.Length; i++)
        {
            double d = Math.Abs(tensor[i] - reference[i]);
            sum += d;
            if (d > max) { max = d; worst = i; }
        }
        return new TensorDifference(max, tensor.Length == 0 ? 0 : sum / tensor.Length, worst);
    }
}
