namespace XrayClassifier.Function.Http;

/// <summary>The function's routes: classification (every path but the others) and the health check.</summary>
public enum RouteKind { Classify, Health }
