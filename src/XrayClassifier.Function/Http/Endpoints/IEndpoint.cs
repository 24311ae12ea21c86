using XrayClassifier.Function.ApiGateway;

namespace XrayClassifier.Function.Http.Endpoints;

/// <summary>One route's use case. Failures are thrown (<see cref="ProblemException"/>, image rejections,
/// platform problems) and turned into answers in one place, <see cref="ProblemAnswers"/>.</summary>
internal interface IEndpoint
{
    Task<ProxyResponse> AnswerAsync(RequestContext context);
}
