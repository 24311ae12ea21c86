using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace XrayClassifier.Function.Inference.Runtime;

/// <summary>
/// What the headers of a shared library say it is. Read before <c>dlopen</c> so a library built for the
/// other Lambda architecture, a file that is not a library at all, or a library cut short by an
/// interrupted copy is reported in words a deployer can act on. The last matters most: the loader maps
/// segments past the end of a truncated file and the process dies of SIGBUS instead of failing.
/// </summary>
internal readonly record struct ElfIdentity(bool IsElf, bool Is64Bit, bool IsLittleEndian, ushort Machine, long FileLength, long DescribedLength)
{
    private const ushort MachineX64 = 62;
    private const ushort MachineAArch64 = 183;
    private const int Elf64HeaderSize = 64;
    private const uint PtLoad = 1;

    /// <summary>Reads the ELF identification, e_machine and, for a 64-bit little-endian file, how long its
    /// program and section headers say the file is.</summary>
    public static ElfIdentity Read(string path)
    {
        using var file = File.OpenHandle(path, FileMode.Open, FileAccess.Read);
        long length = RandomAccess.GetLength(file);
        Span<byte> head = stackalloc byte[Elf64HeaderSize];
        int read = RandomAccess.Read(file, head, 0);
        if (read < 20 || head[0] != 0x7f || head[1] != (byte)'E' || head[2] != (byte)'L' || head[3] != (byte)'F')
            return default;

        bool is64 = head[4] == 2, little = head[5] == 1;
        ushort machine = little ? BinaryPrimitives.ReadUInt16LittleEndian(head[18..]) : BinaryPrimitives.ReadUInt16BigEndian(head[18..]);
        if (!is64 || !little || read < Elf64HeaderSize) return new ElfIdentity(true, is64, little, machine, length, 0);

        ulong phoff = BinaryPrimitives.ReadUInt64LittleEndian(head[32..]);
        ulong shoff = BinaryPrimitives.ReadUInt64LittleEndian(head[40..]);
        ushort phentsize = BinaryPrimitives.ReadUInt16LittleEndian(head[54..]);
        ushort phnum = BinaryPrimitives.ReadUInt16LittleEndian(head[56..]);
        ushort shentsize = BinaryPrimitives.ReadUInt16LittleEndian(head[58..]);
        ushort shnum = BinaryPrimitives.ReadUInt16LittleEndian(head[60..]);

        ulong described = Math.Max(phoff + (ulong)phnum * phentsize, shoff + (ulong)shnum * shentsize);
        if (phentsize >= 48 && phoff + (ulong)phnum * phentsize <= (ulong)length)
        {
            var headers = new byte[phnum * phentsize];
            RandomAccess.Read(file, headers, (long)phoff);
            for (int i = 0; i < phnum; i++)
            {
                var ph = headers.AsSpan(i * phentsize, phentsize);
                if (BinaryPrimitives.ReadUInt32LittleEndian(ph) != PtLoad) continue;
                ulong end = BinaryPrimitives.ReadUInt64LittleEndian(ph[8..]) + BinaryPrimitives.ReadUInt64LittleEndian(ph[32..]);
                described = Math.Max(described, end);
            }
        }
        return new ElfIdentity(true, true, true, machine, length, (long)Math.Min(described, long.MaxValue));
    }

    /// <summary>The file is shorter than its own headers say: an interrupted copy or download.</summary>
    public bool IsTruncated => IsElf && FileLength < DescribedLength;

    /// <summary>What the file is, in a deployer's words.</summary>
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
