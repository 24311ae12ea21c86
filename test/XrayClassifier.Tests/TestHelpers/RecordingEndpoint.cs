using XrayClassifier.Function.ApiGateway;
using XrayClassifier.Function.Http;
using XrayClassifier.Function.Http.Endpoints;

namespace XrayClassifier.Tests.TestHelpers;

/// <summary>An endpoint that answers 204 and keeps the request context it was given: what the handler hands an
/// endpoint, seen from the endpoint's side.</summary>
internal sealed class RecordingEndpoint : IEndpoint
{
    public List<RequestContext> Contexts { get; } = [];

    public Task<ProxyResponse> AnswerAsync(RequestContext context)
    {
        lock (Contexts) Contexts.Add(context);
        return Task.FromResult(Responses.Empty(204, context.RequestId));
    }
}
