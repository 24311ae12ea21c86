namespace XrayClassifier.Function.Http;

/// <summary>How the client sent the image.</summary>
public enum UploadForm { Raw, Json, Multipart }
