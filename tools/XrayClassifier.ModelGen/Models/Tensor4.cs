namespace XrayClassifier.ModelGen.Models;

/// <summary>A dense float32 NCHW tensor for the calibration forward pass.</summary>
internal sealed class Tensor4
{
    public Tensor4(int n, int c, int h, int w)
    {
        N = n; C = c; H = h; W = w;
        Data = new float[checked(n * c * h * w)];
    }

    public int N { get; }
    public int C { get; }
    public int H { get; }
    public int W { get; }
    public int Plane => H * W;
    public float[] Data { get; }

    /// <summary>Offset of channel <paramref name="c"/> of image <paramref name="n"/>.</summary>
    public int Offset(int n, int c) => (n * C + c) * Plane;
}
