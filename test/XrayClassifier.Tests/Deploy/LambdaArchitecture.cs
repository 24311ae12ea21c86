namespace XrayClassifier.Tests.Deploy;

/// <summary>
/// The two instruction sets Lambda runs the function on, and what each one's builds are: the one table the package,
/// link and bootstrap checks read, so a check written once holds for both (Graviton's arm64 is cross-built here).
/// </summary>
/// <param name="Name">Lambda's name (<c>Architectures</c>, <c>tools/package.sh --arch</c>).</param>
/// <param name="RuntimeIdentifier">.NET's RID, and the folder under the EFS root's runtime/.</param>
/// <param name="ElfMachine">e_machine of its executables (EM_X86_64, EM_AARCH64).</param>
/// <param name="Loader">glibc's dynamic loader for it.</param>
/// <param name="AotZip">The Native AOT bootstrap's zip under artifacts/.</param>
public sealed record LambdaArchitecture(string Name, string RuntimeIdentifier, ushort ElfMachine, string Loader, string AotZip)
{
    public static readonly LambdaArchitecture X86_64 = new("x86_64", "linux-x64", 62, "ld-linux-x86-64.so.2", "XrayClassifier.Bootstrap.zip");
    public static readonly LambdaArchitecture Arm64 = new("arm64", "linux-arm64", 183, "ld-linux-aarch64.so.1", "XrayClassifier.Bootstrap-arm64.zip");

    public static readonly IReadOnlyList<LambdaArchitecture> All = [X86_64, Arm64];

    public static LambdaArchitecture Named(string name) => All.Single(a => a.Name == name);

    /// <summary>Every architecture by name, for a theory.</summary>
    public static TheoryData<string> Names() => new(All.Select(a => a.Name));
}
