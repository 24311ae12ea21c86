namespace XrayClassifier.Function.Imaging;

/// <summary>What was decoded: the format and the original size (after EXIF orientation).</summary>
/// <param name="Format">The format detected from the bytes.</param>
/// <param name="Width">Displayed width, i.e. after EXIF orientation.</param>
/// <param name="Height">Displayed height, i.e. after EXIF orientation.</param>
/// <param name="Bands">Bands in the file, alpha included (1 grey, 2 grey+alpha, 3 RGB, 4 RGBA or CMYK).</param>
/// <param name="BitsPerSample">8 or 16.</param>
public sealed record DecodedImage(ImageFormat Format, int Width, int Height, int Bands, int BitsPerSample);
