using XrayClassifier.Function.Imaging;
using XrayClassifier.Function.Inference;

namespace XrayClassifier.Function.Hosting;

/// <summary>What classifying one image produced, and where the time went.</summary>
public sealed record ClassifyResult(DecodedImage Image, Classification Classification, double DecodeMs, double InferenceMs);
