namespace XrayClassifier.Function.ApiGateway;

/// <summary>The invocation payload is larger than the handler accepts (answered with 413).</summary>
public sealed class ProxyEventTooLargeException(long size, long limit)
    : Exception($"The event is {size} bytes; at most {limit} are accepted.");
