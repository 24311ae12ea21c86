namespace XrayClassifier.Function.Imaging;

/// <summary>The colour model of the resized pixels handed to <see cref="TensorWriter"/> (alpha already dropped).</summary>
internal enum SourceColour
{
    /// <summary>One band.</summary>
    Grey = 1,
    /// <summary>Three bands, R G B.</summary>
    Rgb = 3,
}
