using System.Runtime.InteropServices;

namespace XrayClassifier.Tests.ModelGen;

/// <summary>A model exported by torch.onnx.export, with a deterministic input and PyTorch's own output for it.</summary>
/// <param name="ModelPath">The .onnx file.</param>
/// <param name="InputName">The graph input's name as the exporter wrote it ("input", or "input.1" for a quick export).</param>
/// <param name="OutputName">The graph output's name ("probabilities", or a number such as "15").</param>
/// <param name="InputShape">The shape of <see cref="InputPath"/>'s tensor (batch 1).</param>
/// <param name="OutputShape">The shape of <see cref="ExpectedOutputPath"/>'s tensor.</param>
/// <param name="InputPath">Raw little-endian float32 input.</param>
/// <param name="ExpectedOutputPath">Raw little-endian float32 output PyTorch computed for that input (eval mode).</param>
/// <param name="DynamicBatch">True when the batch axis is the symbolic "batch_size".</param>
public sealed record PyTorchModel(
    string ModelPath, string InputName, string OutputName, long[] InputShape, long[] OutputShape,
    string InputPath, string ExpectedOutputPath, bool DynamicBatch)
{
    /// <summary>The input tensor's values.</summary>
    public float[] ReadInput() => ReadFloats(InputPath);

    /// <summary>PyTorch's output values.</summary>
    public float[] ReadExpectedOutput() => ReadFloats(ExpectedOutputPath);

    private static float[] ReadFloats(string path)
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length % 4 != 0) throw new InvalidDataException($"{path}: {bytes.Length} bytes is not a whole number of float32 values");
        return MemoryMarshal.Cast<byte, float>(bytes).ToArray();
    }
}
