namespace XrayClassifier.Function.Inference.Heatmaps;

/// <summary>
/// What a class activation map needs from the model: the feature map F (a value of the graph, [1, K, H, W])
/// that is pooled into the classifier, and the classifier's weights and bias, so that
/// <c>cam[c][y][x] = Σ_k w[c,k]·F[k,y,x] + b[c]</c> and the mean of cam[c] is logit c.
/// </summary>
/// <param name="Features">The feature map's value name in the graph.</param>
/// <param name="Channels">K: the feature map's channels, the weights' inner size.</param>
/// <param name="Weights">w, row-major [output values, K] (one row per manifest label slot).</param>
/// <param name="Bias">b, one per output value.</param>
/// <param name="Path">How the head was recognised, for logs and /health (e.g. "GlobalAveragePool → Flatten → Gemm → Sigmoid").</param>
internal sealed record ClassifierHead(string Features, int Channels, float[] Weights, float[] Bias, string Path);
