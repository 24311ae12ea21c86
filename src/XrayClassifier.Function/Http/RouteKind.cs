namespace XrayClassifier.Function.Http;

/// <summary>What a request asks for, found from the last segment of its path.</summary>
public enum RouteKind { Unknown, Classify, Health }
