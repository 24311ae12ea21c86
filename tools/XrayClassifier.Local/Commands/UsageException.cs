namespace XrayClassifier.Local.Commands;

/// <summary>The command line is wrong: exit code 2 with the usage text.</summary>
public sealed class UsageException(string message) : Exception(message);
