namespace XrayClassifier.Function.Http;

/// <summary>The function's routes: classification (every path but the others), the health check, upload forms
/// for studies larger than Lambda's event (<c>…/uploads</c>), and the web page (GET or HEAD on the stage root).</summary>
public enum RouteKind { Classify, Health, Uploads, Page }
