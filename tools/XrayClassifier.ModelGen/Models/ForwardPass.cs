using System.Runtime.CompilerServices;
using System.Numerics;

namespace XrayClassifier.ModelGen.Models;

/// <summary>
/// The few CPU kernels the calibration forward pass needs (convolution as im2col + GEMM, pooling).
/// Every output element is computed by one thread in a fixed order with separate multiply and add
/// (never fused), so results are bit-identical on every machine, vector width and thread count — the
/// generated model's bytes depend on them.
/// </summary>
internal static class ForwardPass
{
    /// <summary>out[n, co] = Σ w[co, ci, ky, kx] · in[n, ci, y·s − p + ky, x·s − p + kx] (no bias), over the first <paramref name="inChannels"/> channels of <paramref name="input"/>.</summary>
    public static Tensor4 Conv(Tensor4 input, int inChannels, float[] weight, int outChannels, int kernel, int stride, int pad)
    {
        var ho = (input.H + 2 * pad - kernel) / stride + 1;
        var wo = (input.W + 2 * pad - kernel) / stride + 1;
        var output = new Tensor4(input.N, outChannels, ho, wo);
        var k = inChannels * kernel * kernel;
        var p = ho * wo;
        var direct = kernel == 1 && stride == 1 && pad == 0;
        var columns = direct ? null : new float[k * p];
        for (var n = 0; n < input.N; n++)
        {
            float[] x;
            int xOffset;
            if (direct)
            {
                x = input.Data;
                xOffset = input.Offset(n, 0);
            }
            else
            {
                Im2Col(input, n, inChannels, kernel, stride, pad, ho, wo, columns!);
                x = columns!;
                xOffset = 0;
            }
            Gemm(weight, outChannels, k, x, xOffset, p, output.Data, output.Offset(n, 0));
        }
        return output;
    }

    private static void Im2Col(Tensor4 input, int n, int channels, int kernel, int stride, int pad, int ho, int wo, float[] columns)
    {
        var p = ho * wo;
        for (var c = 0; c < channels; c++)
        {
            var src = input.Offset(n, c);
            for (var ky = 0; ky < kernel; ky++)
            for (var kx = 0; kx < kernel; kx++)
            {
                var row = ((c * kernel + ky) * kernel + kx) * p;
                for (var oy = 0; oy < ho; oy++)
                {
                    var iy = oy * stride - pad + ky;
                    for (var ox = 0; ox < wo; ox++)
                    {
                        var ix = ox * stride - pad + kx;
                        columns[row + oy * wo + ox] = (uint)iy < (uint)input.H && (uint)ix < (uint)input.W
                            ? input.Data[src + iy * input.W + ix] : 0f;
                    }
                }
            }
        }
    }

    /// <summary>out[m, j] = Σ_k a[m, k] · x[xOffset + k·cols + j] for an m×k matrix a.</summary>
    private static void Gemm(float[] a, int rows, int depth, float[] x, int xOffset, int cols, float[] output, int outOffset)
    {
        const int rowBlock = 4;
        // Vector<float> is as wide as the hardware's vectors (8 with AVX2, 4 with NEON); lanes are
        // independent, so the width changes speed, never results.
        var lanes = Vector<float>.Count;
        var colBlock = 2 * lanes;
        var blocks = (rows + rowBlock - 1) / rowBlock;
        Parallel.For(0, blocks, block =>
        {
            var r0 = block * rowBlock;
            var rCount = Math.Min(rowBlock, rows - r0);
            var j = 0;
            if (rCount == rowBlock)
            {
                for (; j + colBlock <= cols; j += colBlock)
                {
                    Vector<float> c00 = default, c01 = default, c10 = default, c11 = default,
                        c20 = default, c21 = default, c30 = default, c31 = default;
                    var xi = xOffset + j;
                    for (var k = 0; k < depth; k++, xi += cols)
                    {
                        var x0 = Vector.LoadUnsafe(ref x[xi]);
                        var x1 = Vector.LoadUnsafe(ref x[xi + lanes]);
                        var w0 = new Vector<float>(a[r0 * depth + k]);
                        var w1 = new Vector<float>(a[(r0 + 1) * depth + k]);
                        var w2 = new Vector<float>(a[(r0 + 2) * depth + k]);
                        var w3 = new Vector<float>(a[(r0 + 3) * depth + k]);
                        c00 += w0 * x0; c01 += w0 * x1;
                        c10 += w1 * x0; c11 += w1 * x1;
                        c20 += w2 * x0; c21 += w2 * x1;
                        c30 += w3 * x0; c31 += w3 * x1;
                    }
                    Store(output, outOffset + r0 * cols + j, c00, c01);
                    Store(output, outOffset + (r0 + 1) * cols + j, c10, c11);
                    Store(output, outOffset + (r0 + 2) * cols + j, c20, c21);
                    Store(output, outOffset + (r0 + 3) * cols + j, c30, c31);
                }
            }
            // Remaining columns (and rows): scalar, same summation order over k.
            for (var r = r0; r < r0 + rCount; r++)
            {
                for (var jj = rCount == rowBlock ? j : 0; jj < cols; jj++)
                {
                    var sum = 0f;
                    var xi = xOffset + jj;
                    for (var k = 0; k < depth; k++, xi += cols) sum += a[r * depth + k] * x[xi];
                    output[outOffset + r * cols + jj] = sum;
                }
            }
        });
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(float[] output, int offset, Vector<float> lo, Vector<float> hi)
    {
        lo.StoreUnsafe(ref output[offset]);
        hi.StoreUnsafe(ref output[offset + Vector<float>.Count]);
    }

    /// <summary>Per-channel mean and (population) variance over all images and positions, accumulated in double.</summary>
    public static (double Mean, double Variance)[] ChannelStatistics(Tensor4 t, int firstChannel, int count)
    {
        var stats = new (double, double)[count];
        Parallel.For(0, count, i =>
        {
            var c = firstChannel + i;
            double sum = 0;
            for (var n = 0; n < t.N; n++)
            {
                var o = t.Offset(n, c);
                for (var q = 0; q < t.Plane; q++) sum += t.Data[o + q];
            }
            var count_ = (double)t.N * t.Plane;
            var mean = sum / count_;
            double sq = 0;
            for (var n = 0; n < t.N; n++)
            {
                var o = t.Offset(n, c);
                for (var q = 0; q < t.Plane; q++) { var d = t.Data[o + q] - mean; sq += d * d; }
            }
            stats[i] = (mean, sq / count_);
        });
        return stats;
    }

    /// <summary>relu(γ·(x − mean)/√(var + ε) + β) over the first <paramref name="channels"/> channels, into a new tensor.</summary>
    public static Tensor4 BatchNormRelu(Tensor4 x, int channels, DenseNet121.BatchNorm bn)
    {
        var y = new Tensor4(x.N, channels, x.H, x.W);
        Parallel.For(0, channels, c =>
        {
            var scale = bn.Gamma[c] / MathF.Sqrt(bn.RunningVar[c] + DenseNet121.BatchNorm.Epsilon);
            var shift = bn.Beta[c] - bn.RunningMean[c] * scale;
            for (var n = 0; n < x.N; n++)
            {
                var src = x.Offset(n, c);
                var dst = y.Offset(n, c);
                for (var q = 0; q < x.Plane; q++) y.Data[dst + q] = MathF.Max(0f, x.Data[src + q] * scale + shift);
            }
        });
        return y;
    }

    /// <summary>Max pooling 3×3, stride 2, padding 1 (padding never wins: inputs are ReLU outputs ≥ 0 and every window has a real pixel).</summary>
    public static Tensor4 MaxPool3x3Stride2(Tensor4 x)
    {
        var ho = (x.H + 2 - 3) / 2 + 1;
        var wo = (x.W + 2 - 3) / 2 + 1;
        var y = new Tensor4(x.N, x.C, ho, wo);
        for (var n = 0; n < x.N; n++)
        for (var c = 0; c < x.C; c++)
        {
            var src = x.Offset(n, c);
            var dst = y.Offset(n, c);
            for (var oy = 0; oy < ho; oy++)
            for (var ox = 0; ox < wo; ox++)
            {
                var m = float.NegativeInfinity;
                for (var ky = -1; ky <= 1; ky++)
                for (var kx = -1; kx <= 1; kx++)
                {
                    int iy = oy * 2 + ky, ix = ox * 2 + kx;
                    if ((uint)iy < (uint)x.H && (uint)ix < (uint)x.W) m = MathF.Max(m, x.Data[src + iy * x.W + ix]);
                }
                y.Data[dst + oy * wo + ox] = m;
            }
        }
        return y;
    }

    /// <summary>Average pooling 2×2, stride 2, into channels [<paramref name="firstChannel"/>, +x.C) of <paramref name="into"/>.</summary>
    public static void AvgPool2x2Into(Tensor4 x, Tensor4 into, int firstChannel)
    {
        for (var n = 0; n < x.N; n++)
        for (var c = 0; c < x.C; c++)
        {
            var src = x.Offset(n, c);
            var dst = into.Offset(n, firstChannel + c);
            for (var oy = 0; oy < into.H; oy++)
            for (var ox = 0; ox < into.W; ox++)
            {
                var i = src + 2 * oy * x.W + 2 * ox;
                into.Data[dst + oy * into.W + ox] = (x.Data[i] + x.Data[i + 1] + x.Data[i + x.W] + x.Data[i + x.W + 1]) * 0.25f;
            }
        }
    }

    /// <summary>Copies all channels of <paramref name="x"/> into channels [<paramref name="firstChannel"/>, +x.C) of <paramref name="into"/> (same H, W).</summary>
    public static void CopyChannels(Tensor4 x, Tensor4 into, int firstChannel)
    {
        for (var n = 0; n < x.N; n++)
            Array.Copy(x.Data, x.Offset(n, 0), into.Data, into.Offset(n, firstChannel), x.C * x.Plane);
    }
}
