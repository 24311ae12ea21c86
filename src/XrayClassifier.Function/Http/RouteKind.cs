namespace XrayClassifier.Function.Http;

/// <summary>The function's routes: classification (every path but the others), the health check, and the web page
/// (GET or HEAD on the stage root).</summary>
public enum RouteKind { Classify, Health, Page }
