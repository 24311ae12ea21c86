using XrayClassifier.Function.ApiGateway;

namespace XrayClassifier.Function.Http.Answers;

/// <summary>
/// One representation of a classification answer (JSON, the DICOM SR), chosen by the request's <c>Accept</c> header
/// (<see cref="ClassificationAnswers"/>). A new representation is one class implementing this, listed in that table;
/// the classify use case does not know which one is in play.
/// </summary>
internal interface IClassificationAnswer
{
    /// <summary>The media type it is sent as (<c>Content-Type</c>), and matched against <c>Accept</c>.</summary>
    string MediaType { get; }

    /// <summary>Whether it can answer an upload of <paramref name="format"/> (<c>application/dicom</c> only a DICOM one).
    /// Asked once the upload's format is known, before it is classified; most representations answer any.</summary>
    bool Answers(Imaging.ImageFormat format) => true;

    /// <summary>The 200 answer for one classified image.</summary>
    ProxyResponse Answer(ClassifiedRequest classified);
}
