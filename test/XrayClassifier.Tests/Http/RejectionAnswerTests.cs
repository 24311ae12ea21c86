using System.Xml.Linq;
using XrayClassifier.Function.Dicom;
using XrayClassifier.Function.Http;
using XrayClassifier.Function.Imaging;
using XrayClassifier.Tests.TestHelpers;

namespace XrayClassifier.Tests.Http;

/// <summary>
/// Every rejection reason has an answer of its own: the mappings in ProblemAnswers list each member with no
/// fallback arm, so a new reason fails the build (CS8509 is an error for the function's project), and here
/// each member's problem type is distinct and has the status its reason documents.
/// </summary>
public sealed class RejectionAnswerTests
{
    [Fact]
    public void EveryImageRejectionHasItsOwnProblemTypeAndStatus()
    {
        var statuses = new Dictionary<ImageRejection, int>
        {
            [ImageRejection.Empty] = 400,
            [ImageRejection.TooLarge] = 413,
            [ImageRejection.TooManyPixels] = 413,
            [ImageRejection.UnsupportedFormat] = 415,
            [ImageRejection.ContentTypeMismatch] = 415,
            [ImageRejection.Corrupt] = 400,
            [ImageRejection.TooSmall] = 422,
        };
        AssertEachHasItsOwnAnswer(statuses, ProblemAnswers.TypeOf);
    }

    [Fact]
    public void EveryDicomRejectionHasItsOwnProblemTypeAndStatus()
    {
        var statuses = new Dictionary<DicomRejection, int>
        {
            [DicomRejection.Malformed] = 400,
            [DicomRejection.TooLarge] = 413,
            [DicomRejection.TooManyPixels] = 413,
            [DicomRejection.UnsupportedTransferSyntax] = 415,
            [DicomRejection.NotGreyscale] = 415,
            [DicomRejection.UnsupportedPixelFormat] = 415,
            [DicomRejection.NotAnImage] = 422,
        };
        AssertEachHasItsOwnAnswer(statuses, ProblemAnswers.TypeOf);
    }

    [Fact]
    public void ANonExhaustiveSwitchExpressionFailsTheFunctionsBuild()
    {
        var project = XDocument.Load(Path.Combine(TestEnvironment.RepoRoot, "src", "XrayClassifier.Function", "XrayClassifier.Function.csproj"));
        var asErrors = project.Descendants("WarningsAsErrors").Select(e => e.Value).ToList();
        Assert.Contains(asErrors, v => v.Split(';').Contains("CS8509"));
    }

    private static void AssertEachHasItsOwnAnswer<TReason>(Dictionary<TReason, int> statuses, Func<TReason, ProblemType> answer)
        where TReason : struct, Enum
    {
        // A member added to the enum must be added here too, with the status its documentation gives it.
        Assert.Equal(Enum.GetValues<TReason>().Order(), statuses.Keys.Order());
        var slugs = new HashSet<string>();
        foreach (var (reason, status) in statuses)
        {
            var type = answer(reason);
            Assert.True(status == type.Status, $"{reason}: {type.Slug} is {type.Status}, expected {status}");
            Assert.True(slugs.Add(type.Slug), $"{reason} shares the problem type {type.Slug} with another reason");
        }
    }
}
