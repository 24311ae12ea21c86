using XrayClassifier.Function.Configuration;
using XrayClassifier.Function.Hosting.RuntimeApi;

// Lambda runs /var/task/bootstrap with AWS_LAMBDA_RUNTIME_API set; INIT is the Function's constructor, as on the
// managed runtime.
return await CustomRuntime.RunAsync(ProcessEnvironmentVariables.Instance, static () => new XrayClassifier.Function.Function(), Console.Error);
