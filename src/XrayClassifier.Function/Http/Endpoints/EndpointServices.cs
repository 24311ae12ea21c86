using XrayClassifier.Function.Delivery;
using XrayClassifier.Function.Hosting;
using XrayClassifier.Function.Observability;
using XrayClassifier.Function.Storage;
using XrayClassifier.Function.Uploads;

namespace XrayClassifier.Function.Http.Endpoints;

/// <summary>What the execution environment holds that endpoints are made from (<see cref="RouteEntry.CreateEndpoint"/>).</summary>
internal sealed record EndpointServices(PlatformHost Host, Workspace Workspace, UploadBucket Uploads, RequestLog Log, FunctionServices Services,
    ResultsDelivery Results);
