using XrayClassifier.Function.Dicom;
using XrayClassifier.Function.Imaging;

namespace XrayClassifier.Function.Http.Answers.Stow;

/// <summary>Why a STOW-RS instance was not classified, as the Store Instances Response's Failure Reason (0008,1197)
/// words it (PS3.18 Annex I, Table I.2-2, "Store Instances Response Failure Reason Values").</summary>
internal enum StoreFailure
{
    /// <summary>C122 (49442), "Referenced Transfer Syntax not supported".</summary>
    TransferSyntaxNotSupported,
    /// <summary>0122 (290), "Referenced SOP Class not supported": an object without an image (SR, PDF, presentation state).</summary>
    SopClassNotSupported,
    /// <summary>A900 (43264), "Error: Data Set does not match SOP Class": malformed, or its pixel data does not add up.</summary>
    DataSetDoesNotMatch,
    /// <summary>A900 as well: the instance's Study Instance UID is not the one in the request's path. Table I.2-2 has no
    /// code of its own for it (Table 10.5.3-1 names the mismatch a conflict); A9xx is the range whose meaning covers it.</summary>
    StudyInstanceUidMismatch,
    /// <summary>0110 (272), "Processing failure": readable, but not an image this service classifies (colour, float
    /// pixels, over the size limits, too small).</summary>
    ProcessingFailure,
}

internal static class StoreFailures
{
    // Every mapping lists every member and has no fallback arm: with CS8509 an error in this project, a new rejection
    // reason does not compile until it is given its Failure Reason here.

    /// <summary>The Failure Reason (0008,1197) value: Table I.2-2's code.</summary>
    public static ushort Code(StoreFailure failure) => failure switch
    {
        StoreFailure.TransferSyntaxNotSupported => 0xC122,
        StoreFailure.SopClassNotSupported => 0x0122,
        StoreFailure.DataSetDoesNotMatch => 0xA900,
        StoreFailure.StudyInstanceUidMismatch => 0xA900,
        StoreFailure.ProcessingFailure => 0x0110,
    };

    /// <summary>The slug the JSON answer names the failure by.</summary>
    public static string Name(StoreFailure failure) => failure switch
    {
        StoreFailure.TransferSyntaxNotSupported => "transfer-syntax-not-supported",
        StoreFailure.SopClassNotSupported => "sop-class-not-supported",
        StoreFailure.DataSetDoesNotMatch => "data-set-does-not-match-sop-class",
        StoreFailure.StudyInstanceUidMismatch => "study-instance-uid-mismatch",
        StoreFailure.ProcessingFailure => "processing-failure",
    };

    public static StoreFailure Of(DicomRejection reason) => reason switch
    {
        DicomRejection.UnsupportedTransferSyntax => StoreFailure.TransferSyntaxNotSupported,
        DicomRejection.NotAnImage => StoreFailure.SopClassNotSupported,
        DicomRejection.Malformed => StoreFailure.DataSetDoesNotMatch,
        DicomRejection.TooLarge => StoreFailure.ProcessingFailure,
        DicomRejection.TooManyPixels => StoreFailure.ProcessingFailure,
        DicomRejection.NotGreyscale => StoreFailure.ProcessingFailure,
        DicomRejection.UnsupportedPixelFormat => StoreFailure.ProcessingFailure,
    };

    public static StoreFailure Of(ImageRejection reason) => reason switch
    {
        ImageRejection.Corrupt => StoreFailure.DataSetDoesNotMatch,
        ImageRejection.Empty => StoreFailure.DataSetDoesNotMatch,
        ImageRejection.UnsupportedFormat => StoreFailure.DataSetDoesNotMatch,
        ImageRejection.ContentTypeMismatch => StoreFailure.DataSetDoesNotMatch,
        ImageRejection.TooLarge => StoreFailure.ProcessingFailure,
        ImageRejection.TooManyPixels => StoreFailure.ProcessingFailure,
        ImageRejection.TooSmall => StoreFailure.ProcessingFailure,
    };
}
