namespace XrayClassifier.Function;

/// <summary>
/// The Lambda entry point: <c>XrayClassifier.Function::XrayClassifier.Function.Function::FunctionHandler</c>.
/// Stream in (the API Gateway proxy event JSON), Stream out (the proxy response JSON): the dotnet10
/// managed runtime needs no serializer and no Amazon.Lambda.* package for this signature.
/// </summary>
public class Function
{
    public Function() { }

    public Task<Stream> FunctionHandler(Stream input) => throw new NotImplementedException();
}
