using System.Reflection;

namespace XrayClassifier.Function.Hosting;

/// <summary>
/// The function's version as built, the one value every representation that names the function carries (an SR's
/// Software Versions after the model's, a FHIR Device's "function" version): the assembly's informational version, which
/// the .NET SDK writes as <c>{Version}+{commit}</c> in a git checkout, so a report in the PACS or the EHR names the exact
/// code that made it — what a security review compares with the signed zip's source.
/// </summary>
public static class FunctionVersion
{
    public static readonly string Value = Of(typeof(FunctionVersion).Assembly);

    /// <summary>DICOM's Software Versions is LO: at most 64 characters, no backslash (the value separator).</summary>
    internal static string Of(Assembly assembly)
    {
        string version = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? assembly.GetName().Version?.ToString() ?? "unknown";
        version = version.Replace('\\', '/');
        return version.Length <= 64 ? version : version[..64];
    }
}
