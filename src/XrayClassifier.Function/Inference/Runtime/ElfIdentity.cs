using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace XrayClassifier.Function.Inference.Runtime;

/// <summary>
/// What the first bytes of a shared library say it is. Read before <c>dlopen</c> so a library built for
/// the other Lambda architecture (or a file that is not a library at all) is reported in words a
/// deployer can act on, instead of dlerror's "wrong ELF class" or "invalid ELF header".
/// </summary>
internal readonly record struct ElfIdentity(bool IsElf, bool Is64Bit, bool IsLittleEndian, ushort Machine)
{
    private const ushort MachineX64 = 62;
    private const ushort MachineAArch64 = 183;

    /// <summary>Reads the ELF identification and e_machine (the first 20 bytes).</summary>
    public static ElfIdentity Read(string path)
    {
        Span<byte> head = stackalloc byte[20];
        using var file = File.OpenHandle(path, FileMode.Open, FileAccess.Read);
        int read = RandomAccess.Read(file, head, 0);
        if (read < head.Length || head[0] != 0x7f || head[1] != (byte)'E' || head[2] != (byte)'L' || head[3] != (byte)'F')
            return default;
        bool little = head[5] == 1;
        ushort machine = little ? BinaryPrimitives.ReadUInt16LittleEndian(head[18..]) : BinaryPrimitives.ReadUInt16BigEndian(head[18..]);
        return new ElfIdentity(true, head[4] == 2, little, machine);
    }

    /// <summary>The Lambda runtime folder this build belongs in ("linux-x64", "linux-arm64"), or a description.</summary>
    public string Describe() => !IsElf ? "not an ELF file"
        : !Is64Bit ? "a 32-bit ELF file"
        : Machine switch
        {
            MachineX64 => "an x86-64 (linux-x64) ELF library",
            MachineAArch64 => "an AArch64 (linux-arm64) ELF library",
            _ => $"an ELF library for machine type {Machine}",
        };

    /// <summary>Whether code in this file can run in the current process.</summary>
    public bool MatchesProcess() => IsElf && Is64Bit && IsLittleEndian && RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => Machine == MachineX64,
        Architecture.Arm64 => Machine == MachineAArch64,
        _ => false,
    };
}
