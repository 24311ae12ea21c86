namespace XrayClassifier.Function.Inference.Manifest;

/// <summary>
/// The model's input and output as the classifier will use them, once the manifest has been checked
/// against the model. Shapes are for one image (batch 1).
/// </summary>
/// <param name="InputName">The input the image tensor is fed to.</param>
/// <param name="InputShape">[1, channels, height, width].</param>
/// <param name="OutputName">The output holding one score per label.</param>
/// <param name="OutputShape">The output's shape for one image, or null when a non-batch dimension is
/// dynamic (then the output cannot be preallocated and its size is checked after each run).</param>
/// <param name="DynamicBatch">The input's and the output's batch axes are both dynamic (and the output's size per image is
/// known): the model can run several images at once. A model exported with batch 1 runs each alone.</param>
internal sealed record ModelSignature(string InputName, long[] InputShape, string OutputName, long[]? OutputShape, bool DynamicBatch = false);
