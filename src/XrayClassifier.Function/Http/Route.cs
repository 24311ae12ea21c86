namespace XrayClassifier.Function.Http;

/// <summary>The route a request took (<see cref="RouteTable.Match"/>), its upper-case method and the path the decision
/// was made on.</summary>
internal readonly record struct Route(RouteEntry Entry, string Method, string Path)
{
    /// <summary>Name used in logs and metrics.</summary>
    public string Name => Entry.Name;

    /// <summary>The methods this route answers, for Allow and preflight answers.</summary>
    public string AllowedMethods => Entry.AllowedMethods;

    public bool IsPreflight => Method == "OPTIONS";

    public bool Allows(string method) => Entry.Allows(method);
}
