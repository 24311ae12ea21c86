namespace XrayClassifier.Local.ApiGateway;

/// <summary>A Stream-in/Stream-out Lambda handler, as the dotnet10 runtime calls
/// <c>Function.FunctionHandler</c>: the event JSON in, the response JSON out.</summary>
public delegate Task<Stream> LambdaHandler(Stream eventJson);
