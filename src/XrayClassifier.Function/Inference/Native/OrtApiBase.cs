using System.Runtime.InteropServices;

namespace XrayClassifier.Function.Inference.Native;

/// <summary>
/// C <c>struct OrtApiBase</c>, what the library's only needed export hands out:
/// <c>const OrtApiBase* OrtGetApiBase(void)</c>.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct OrtApiBase
{
    /// <summary>Name of the one symbol resolved from the library.</summary>
    public const string EntryPointName = "OrtGetApiBase";

    // const OrtApi* GetApi(uint32_t version) — NULL when the library is older than version
    public delegate* unmanaged[Cdecl]<uint, void*> GetApi;

    // const char* GetVersionString(void)
    public delegate* unmanaged[Cdecl]<byte*> GetVersionString;
}
