using XrayClassifier.Function.Configuration;
using XrayClassifier.Function.Hosting;
using XrayClassifier.Function.Observability;

namespace XrayClassifier.Function;

/// <summary>
/// The Lambda entry point: <c>XrayClassifier.Function::XrayClassifier.Function.Function::FunctionHandler</c>.
/// Stream in (the event JSON: API Gateway, S3 Batch Operations, S3 notifications, Step Functions Distributed Map), Stream out
/// (that engine's answer): the dotnet10 managed runtime needs no serializer and no Amazon.Lambda.* package for this signature.
/// </summary>
/// <remarks>
/// Lambda constructs this class once per execution environment, in its INIT phase: that is where the model
/// and the native libraries start loading from EFS (<see cref="ExecutionEnvironment"/>). Every invocation
/// then goes through <see cref="EventSources.InvocationHandler"/>: an API Gateway event to <see cref="Http.RequestHandler"/>, which
/// always returns a well-formed proxy response; an archive engine's event to its adapter (EventSources/EVENTS.md).
/// </remarks>
public class Function : IDisposable
{
    private readonly ExecutionEnvironment _environment;

    /// <summary>Lambda's constructor (INIT phase): reads the process environment. Never throws.</summary>
    public Function() : this(ProcessEnvironmentVariables.Instance) { }

    /// <summary>For the local tool, tests and benchmarks: a given environment. Never throws.</summary>
    public Function(IEnvironmentVariables environment) : this(environment, FunctionServices.Default) { }

    /// <summary>A given environment and surroundings: tests (clock, log capture) and local tools (logs to
    /// standard error with <see cref="StreamLogSink.StandardError"/>). Never throws.</summary>
    public Function(IEnvironmentVariables environment, FunctionServices services) =>
        _environment = new ExecutionEnvironment(environment, services);

    /// <summary>The loaded platform (model, natives), for tools that look inside: the local tool's
    /// <c>classify --dump-input</c> and the benchmarks.</summary>
    public PlatformHost Platform => _environment.Host;

    /// <summary>The managed runtime's entry: its Stream signature carries no context, so the invocation's deadline is its start
    /// plus <c>XRAY_INVOCATION_BUDGET_SECONDS</c> (<see cref="Configuration.XrayOptions.InvocationBudget"/>).</summary>
    public Task<Stream> FunctionHandler(Stream input) => HandleAsync(input, deadline: null);

    /// <summary>One invocation and when Lambda ends it (the custom runtime reads it from the Runtime API; null if not known).
    /// Not an overload of <see cref="FunctionHandler"/>: the handler string must name exactly one public method (the deploy
    /// tests check it as the managed runtime resolves it).</summary>
    internal Task<Stream> HandleAsync(Stream input, DateTimeOffset? deadline) => _environment.Invocations.HandleAsync(input, deadline);

    public void Dispose()
    {
        _environment.Dispose();
        GC.SuppressFinalize(this);
    }
}
