using XrayClassifier.Function.ApiGateway;

namespace XrayClassifier.Tests.ApiGateway;

/// <summary>The captured-style events in Fixtures/events, read through the production reader.</summary>
public static class EventFixtures
{
    public static string PathOf(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "events", name);

    public static byte[] Bytes(string name) => File.ReadAllBytes(PathOf(name));

    /// <summary>The fixture read by <see cref="ProxyEventReader"/>; the lease must outlive the request's body.</summary>
    public static ProxyRequest Read(string name, BufferLease lease) => ProxyEventReader.Read(Bytes(name), lease);
}
