namespace XrayClassifier.Function.EventSources;

/// <summary>Who invoked the function, told from the event's shape (<see cref="EventShape"/>): each engine has its own
/// event and its own contract for the answer (EVENTS.md).</summary>
internal enum EventSourceKind
{
    /// <summary>An API Gateway REST proxy event (payload 1.0), or bytes that are not JSON at all (Lambda accepts only JSON
    /// payloads, so those come from a local caller, who is answered a 400 proxy response as before).</summary>
    ApiGateway,
    /// <summary>S3 Batch Operations' LambdaInvoke: <c>{invocationSchemaVersion, invocationId, job, tasks}</c>.</summary>
    S3BatchOperations,
    /// <summary>S3 event notifications: <c>{Records: [{eventSource: "aws:s3", s3: …}]}</c>.</summary>
    S3Notification,
    /// <summary>One Step Functions Distributed Map item: an S3 listing item <c>{Key, Size, Etag, …}</c> with its bucket.</summary>
    DistributedMapItem,
    /// <summary>A Distributed Map batch (ItemBatcher): <c>{Items: […], BatchInput: {…}}</c>.</summary>
    DistributedMapBatch,
    /// <summary>API Gateway's Lambda TOKEN authorizer event: <c>{type: "TOKEN", authorizationToken, methodArn}</c> (template
    /// Authorizer JWT; answered by the authorizer function only, TokenAuthorizer/BearerTokenAuthorizer).</summary>
    TokenAuthorizer,
    /// <summary>A JSON value of none of these shapes: the invocation fails, saying so.</summary>
    Unrecognised,
}
