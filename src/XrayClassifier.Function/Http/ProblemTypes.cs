namespace XrayClassifier.Function.Http;

/// <summary>Every problem the handler answers with. Clients branch on <see cref="ProblemType.Slug"/>.</summary>
public static class ProblemTypes
{
    public static readonly ProblemType NotAProxyEvent = new("not-a-proxy-event", "The invocation is not an API Gateway proxy event", 400);
    public static readonly ProblemType MissingBody = new("missing-body", "The request has no body", 400);
    public static readonly ProblemType BadBase64 = new("bad-base64", "The image is not valid base64", 400);
    public static readonly ProblemType BadJson = new("bad-json", "The JSON body is not valid", 400);
    public static readonly ProblemType BadMultipart = new("bad-multipart", "The multipart/form-data body is not valid", 400);
    public static readonly ProblemType BadMultipartRelated = new("bad-multipart-related", "The multipart/related body is not valid", 400);
    public static readonly ProblemType NotDicomPart = new("not-dicom-part", "A multipart/related part is not a DICOM file", 400);
    public static readonly ProblemType InvalidStudyUid = new("invalid-study-uid", "The path's StudyInstanceUID is not a DICOM UID", 400);
    public static readonly ProblemType MangledBinary = new("binary-body-mangled", "API Gateway converted the binary upload to text", 400);
    public static readonly ProblemType EmptyImage = new("empty-image", "The image is empty", 400);
    public static readonly ProblemType CorruptImage = new("corrupt-image", "The image is truncated or corrupt", 400);
    public static readonly ProblemType UnknownHeatmapLabel = new("unknown-heatmap-label", "The heatmap parameter names no label of the model", 400);
    public static readonly ProblemType UnknownPreview = new("unknown-preview", "The preview parameter is not png or levels", 400);
    public static readonly ProblemType MethodNotAllowed = new("method-not-allowed", "Method not allowed on this route", 405);
    public static readonly ProblemType NotAcceptable = new("not-acceptable", "No representation the Accept header allows", 406);
    public static readonly ProblemType ImageTooLarge = new("image-too-large", "The image is too large", 413);
    public static readonly ProblemType TooManyPixels = new("too-many-pixels", "The image has too many pixels", 413);
    public static readonly ProblemType UnsupportedMediaType = new("unsupported-media-type", "Unsupported Content-Type", 415);
    public static readonly ProblemType UnsupportedImageFormat = new("unsupported-image-format", "Unsupported image format", 415);
    public static readonly ProblemType ContentTypeMismatch = new("content-type-mismatch", "Content-Type does not match the image", 415);
    public static readonly ProblemType ImageTooSmall = new("image-too-small", "The image is too small to classify", 422);
    public static readonly ProblemType InvalidDicom = new("invalid-dicom", "The DICOM file is malformed", 400);
    public static readonly ProblemType UnsupportedTransferSyntax = new("unsupported-transfer-syntax", "The DICOM transfer syntax is not decoded", 415);
    public static readonly ProblemType DicomNotGreyscale = new("dicom-not-greyscale", "The DICOM image is not greyscale", 415);
    public static readonly ProblemType UnsupportedDicomPixels = new("unsupported-dicom-pixels", "The DICOM pixel format is not read", 415);
    public static readonly ProblemType DicomNotAnImage = new("dicom-not-an-image", "The DICOM object has no image", 422);
    public static readonly ProblemType HeatmapsUnavailable = new("heatmaps-unavailable", "The model cannot give heatmaps", 422);
    public static readonly ProblemType InternalError = new("internal-error", "Internal error", 500);
    public static readonly ProblemType PlatformUnavailable = new("platform-unavailable", "The classifier is not available", 503);
    public static readonly ProblemType ModelOutputNotFinite = new("model-output-not-finite", "The model's output is not a probability", 503);
    public static readonly ProblemType Misconfigured = new("misconfigured", "The function is misconfigured", 503);
    public static readonly ProblemType UnknownUploadKey = new("unknown-upload-key", "The s3Key is not one this function issues", 400);
    public static readonly ProblemType UploadNotFound = new("upload-not-found", "There is no uploaded object under this key", 404);
    public static readonly ProblemType UploadsNotConfigured = new("uploads-not-configured", "Uploads through S3 are not set up", 503);
    public static readonly ProblemType S3Unavailable = new("s3-unavailable", "S3 could not be reached or failed", 503);
    public static readonly ProblemType DeadlineReached = new("deadline-reached", "The invocation's time ran out before the work was done", 503);
    public static readonly ProblemType ObjectNotFound = new("object-not-found", "There is no object under this key", 404);
    public static readonly ProblemType UnusableObjectReference = new("unusable-object-reference", "The event's reference to an object cannot be used", 400);
    public static readonly ProblemType BadJobArguments = new("bad-job-arguments", "The job's arguments are not understood", 400);
}
