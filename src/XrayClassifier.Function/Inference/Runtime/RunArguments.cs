using System.Runtime.InteropServices;

namespace XrayClassifier.Function.Inference.Runtime;

/// <summary>
/// The pointer arrays C <c>Run</c> takes, for one input and one output, laid out once in native memory
/// so a run marshals nothing: <c>&amp;InputName</c> is a <c>const char* const*</c> of length 1, and so on.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct RunArguments
{
    public byte* InputName;
    public byte* OutputName;
    public nint InputValue;   // OrtValue*
    public nint OutputValue;  // OrtValue*, NULL when ORT allocates the output
}
