using XrayClassifier.Function.Configuration;
using XrayClassifier.Local.Commands;

return await LocalCli.RunAsync(args, Console.Out, Console.Error, ProcessEnvironmentVariables.Instance, CancellationToken.None);
