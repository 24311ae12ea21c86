using System.Diagnostics;

namespace XrayClassifier.Function.Dicom;

/// <summary>
/// Stored value → [0, 1], resolved once per image for the manifest's <see cref="VoiMode"/>:
/// <c>none</c> is (stored − smallest storable) / (2^BitsStored − 1); <c>window</c> is the Modality LUT
/// (RescaleSlope/Intercept or the Modality LUT Sequence), then the first VOI LUT Sequence item or the first
/// WindowCenter/WindowWidth with its VOILUTFunction (PS3.3 C.11.2.1.2) with y_min 0 and y_max 1.
/// MONOCHROME1 is inverted last (1 − y), since its low values are white.
/// </summary>
internal sealed class GreyscaleMapping
{
    private readonly PixelLayout _layout;
    private readonly bool _monochrome1;
    private readonly double _slope, _intercept, _center, _width;
    private readonly LookupTable? _modalityLut, _voiLut;

    private GreyscaleMapping(PixelLayout layout, bool monochrome1, VoiApplied applied, double slope, double intercept,
        LookupTable? modalityLut, LookupTable? voiLut, double center, double width)
    {
        _layout = layout;
        _monochrome1 = monochrome1;
        Applied = applied;
        _slope = slope;
        _intercept = intercept;
        _modalityLut = modalityLut;
        _voiLut = voiLut;
        _center = center;
        _width = width;
    }

    public VoiApplied Applied { get; }

    public static GreyscaleMapping Resolve(DicomAttributes a, PixelLayout layout, bool monochrome1, VoiMode mode)
    {
        if (mode == VoiMode.None)
            return new GreyscaleMapping(layout, monochrome1, VoiApplied.None, 1, 0, null, null, 0, 0);
        double slope = a.RescaleSlope ?? 1, intercept = a.RescaleIntercept ?? 0;
        if (a.VoiLut is not null)
            return new GreyscaleMapping(layout, monochrome1, VoiApplied.LutSequence, slope, intercept, a.ModalityLut, a.VoiLut, 0, 0);
        var function = a.VoiLutFunction switch
        {
            "LINEAR_EXACT" => VoiLutFunction.LinearExact,
            "SIGMOID" => VoiLutFunction.Sigmoid,
            _ => VoiLutFunction.Linear, // absent means LINEAR (C.11.2.1.3)
        };
        if (a.WindowCenter is double center && a.WindowWidth is double width && WidthValid(function, width))
        {
            var applied = function switch
            {
                VoiLutFunction.Linear => VoiApplied.WindowLinear,
                VoiLutFunction.LinearExact => VoiApplied.WindowLinearExact,
                VoiLutFunction.Sigmoid => VoiApplied.WindowSigmoid,
            };
            return new GreyscaleMapping(layout, monochrome1, applied, slope, intercept, a.ModalityLut, null, center, width);
        }
        // A window the standard forbids (LINEAR needs width ≥ 1, the others > 0) is no window at all. The Modality LUT is
        // kept for ModalityValue (the display preview's units); Map ignores it, as the none mapping does.
        return new GreyscaleMapping(layout, monochrome1, VoiApplied.FellBackToNone, slope, intercept, a.ModalityLut, null, 0, 0);
    }

    private static bool WidthValid(VoiLutFunction function, double width) =>
        function == VoiLutFunction.Linear ? width >= 1 : width > 0;

    /// <summary>The mapped value of one stored value.</summary>
    public double Map(int stored)
    {
        if (HasVoi) return Voi(ModalityValue(stored));
        double y = (stored - (double)_layout.Smallest) / ((1 << _layout.BitsStored) - 1);
        return _monochrome1 ? 1 - y : y;
    }

    /// <summary>MONOCHROME1: low values are white.</summary>
    public bool Monochrome1 => _monochrome1;

    /// <summary>Whether the file's own VOI (a window or a VOI LUT) is applied.</summary>
    public bool HasVoi => Applied is not (VoiApplied.None or VoiApplied.FellBackToNone);

    /// <summary>The Modality LUT's output for one stored value: the Modality LUT Sequence, else RescaleSlope/Intercept
    /// (identity when absent, and for the <c>none</c> mode).</summary>
    public double ModalityValue(int stored) => _modalityLut is not null ? _modalityLut[stored] : stored * _slope + _intercept;

    /// <summary>The file's window as centre and width in modality units, when it has one (SIGMOID's too: its
    /// steepest part); null for a VOI LUT Sequence or no VOI.</summary>
    public (double Center, double Width)? Window =>
        Applied is VoiApplied.WindowLinear or VoiApplied.WindowLinearExact or VoiApplied.WindowSigmoid ? (_center, _width) : null;

    /// <summary>The VOI of one modality value onto [0, 1] (1 white), MONOCHROME1 inverted; only when <see cref="HasVoi"/>.</summary>
    public double Voi(double x)
    {
        double y = Applied switch
        {
            VoiApplied.LutSequence => Math.Clamp(_voiLut![x] / (double)((1 << _voiLut.Bits) - 1), 0, 1),
            VoiApplied.WindowLinearExact => x <= _center - _width / 2 ? 0 : x > _center + _width / 2 ? 1 : (x - _center) / _width + 0.5,
            VoiApplied.WindowSigmoid => 1 / (1 + Math.Exp(-4 * (x - _center) / _width)),
            VoiApplied.WindowLinear => x <= _center - 0.5 - (_width - 1) / 2 ? 0
                : x > _center - 0.5 + (_width - 1) / 2 ? 1
                : (x - (_center - 0.5)) / (_width - 1) + 0.5,
            VoiApplied.None or VoiApplied.FellBackToNone => throw new UnreachableException("the none mapping has no VOI"),
        };
        return _monochrome1 ? 1 - y : y;
    }

    /// <summary>Every storable value's mapping, indexed by stored − smallest: at most 65536 entries, so a
    /// frame maps with one read per pixel and the transcendental SIGMOID runs once per value, not per pixel.</summary>
    public float[] Table()
    {
        int smallest = _layout.Smallest, count = _layout.Largest - smallest + 1;
        var table = new float[count];
        for (int i = 0; i < count; i++) table[i] = (float)Map(smallest + i);
        return table;
    }
}
