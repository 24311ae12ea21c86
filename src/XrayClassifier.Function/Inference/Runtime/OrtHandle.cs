using System.Runtime.InteropServices;

namespace XrayClassifier.Function.Inference.Runtime;

/// <summary>
/// An ORT object released with its own <c>Release*</c> function. The release pointer is captured at
/// creation so a handle never needs the library object that made it to be alive when it is freed.
/// </summary>
internal abstract unsafe class OrtHandle : SafeHandle
{
    private readonly delegate* unmanaged[Cdecl]<nint, void> _release;

    protected OrtHandle(nint handle, delegate* unmanaged[Cdecl]<nint, void> release) : base(0, ownsHandle: true)
    {
        _release = release;
        SetHandle(handle);
    }

    public override bool IsInvalid => handle == 0;

    protected override bool ReleaseHandle()
    {
        _release(handle);
        return true;
    }
}
