using System.Runtime.InteropServices;

namespace XrayClassifier.Function.Inference.Runtime;

/// <summary>Native memory from <see cref="NativeMemory.AlignedAlloc"/>, zeroed, freed once.</summary>
internal sealed unsafe class NativeMemoryHandle : SafeHandle
{
    public NativeMemoryHandle(nuint byteCount, nuint alignment) : base(0, ownsHandle: true)
    {
        void* memory = NativeMemory.AlignedAlloc(byteCount, alignment);
        NativeMemory.Clear(memory, byteCount);
        SetHandle((nint)memory);
        ByteCount = byteCount;
    }

    public nuint ByteCount { get; }

    public override bool IsInvalid => handle == 0;

    protected override bool ReleaseHandle()
    {
        NativeMemory.AlignedFree((void*)handle);
        return true;
    }
}
