using XrayClassifier.Function.Configuration;
using XrayClassifier.Function.Imaging;

namespace XrayClassifier.Function;

/// <summary>Sees the model's input tensor of each classification (the local tool's --dump-input).</summary>
public delegate void InputTensorObserver(ReadOnlySpan<float> tensor, PreprocessSpec spec);

/// <summary>
/// The Lambda entry point: <c>XrayClassifier.Function::XrayClassifier.Function.Function::FunctionHandler</c>.
/// Stream in (the API Gateway proxy event JSON), Stream out (the proxy response JSON): the dotnet10
/// managed runtime needs no serializer and no Amazon.Lambda.* package for this signature.
/// </summary>
public class Function
{
    // CONTRACT STUB — replaced by the handler work (issue 4).

    /// <summary>Lambda's constructor (INIT phase): reads the process environment. Never throws.</summary>
    public Function() : this(ProcessEnvironmentVariables.Instance) { }

    /// <summary>For the local tool, tests and benchmarks: a given environment. Never throws.</summary>
    public Function(IEnvironmentVariables environment) { }

    /// <summary>Called with each classified image's input tensor, inside the request.</summary>
    public InputTensorObserver? InputTensorObserver { get; set; }

    public Task<Stream> FunctionHandler(Stream input) => throw new NotImplementedException();
}
