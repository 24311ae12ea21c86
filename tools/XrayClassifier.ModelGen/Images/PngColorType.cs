namespace XrayClassifier.ModelGen;

/// <summary>PNG colour types (IHDR), numbered as in the PNG specification.</summary>
public enum PngColorType : byte
{
    Grey = 0,
    Rgb = 2,
    GreyAlpha = 4,
    Rgba = 6,
}
