namespace XrayClassifier.Function.Http;

/// <summary>How the client sent the image. <see cref="S3Key"/>: JSON <c>{"s3Key": …}</c> naming an object in the
/// upload bucket (<c>POST …/uploads</c>), for studies larger than Lambda's event.</summary>
public enum UploadForm { Raw, Json, Multipart, S3Key }
