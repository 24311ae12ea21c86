namespace XrayClassifier.Function.Imaging;

/// <summary>Image formats the product accepts, detected from the bytes.</summary>
public enum ImageFormat { Png, Jpeg, Tiff, Webp }
