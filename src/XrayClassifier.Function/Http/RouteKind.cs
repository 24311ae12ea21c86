namespace XrayClassifier.Function.Http;

/// <summary>The function's routes: classification (every path but the others), the health check, and
/// upload forms for studies larger than Lambda's event (<c>…/uploads</c>).</summary>
public enum RouteKind { Classify, Health, Uploads }
