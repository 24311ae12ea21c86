using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace XrayClassifier.Function.Native;

/// <summary>
/// What the headers of a shared library say it is: the project's one ELF reader, for both native libraries it loads
/// from EFS (ONNX Runtime's and libvips's checks). Read before <c>dlopen</c> so a library built for the other Lambda
/// architecture, a file that is not a library at all, or a library cut short by an interrupted copy is reported in
/// words a deployer can act on. The last matters most: the loader maps segments past the end of a truncated file
/// and the process dies of SIGBUS instead of failing.
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
            return new ElfIdentity(false, false, false, 0, length, 0);

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

    /// <summary>
    /// The names of the symbol versions the library defines (<c>.gnu.version_d</c>): its SONAME and, for
    /// ONNX Runtime, <c>VERS_1.32.0</c>, which is how its version is known without running any of its code.
    /// Empty when the file defines none. Call only on a complete 64-bit little-endian ELF file.
    /// </summary>
    public static string[] ReadVersionDefinitions(string path)
    {
        const uint ShtGnuVerdef = 0x6ffffffd;
        const int SectionHeaderSize = 64;
        using var file = File.OpenHandle(path, FileMode.Open, FileAccess.Read);
        long length = RandomAccess.GetLength(file);
        Span<byte> head = stackalloc byte[Elf64HeaderSize];
        if (RandomAccess.Read(file, head, 0) < Elf64HeaderSize) return [];
        long shoff = (long)BinaryPrimitives.ReadUInt64LittleEndian(head[40..]);
        int shentsize = BinaryPrimitives.ReadUInt16LittleEndian(head[58..]);
        int shnum = BinaryPrimitives.ReadUInt16LittleEndian(head[60..]);
        if (shentsize < SectionHeaderSize || shoff <= 0 || shoff + (long)shnum * shentsize > length) return [];

        var sections = new byte[shnum * shentsize];
        RandomAccess.Read(file, sections, shoff);
        for (int i = 0; i < shnum; i++)
        {
            var sh = sections.AsSpan(i * shentsize, shentsize);
            if (BinaryPrimitives.ReadUInt32LittleEndian(sh[4..]) != ShtGnuVerdef) continue;
            byte[] verdef = ReadSection(file, sh, length);
            uint link = BinaryPrimitives.ReadUInt32LittleEndian(sh[40..]);
            int count = (int)BinaryPrimitives.ReadUInt32LittleEndian(sh[44..]); // sh_info: number of entries
            if (link >= shnum) return [];
            byte[] strings = ReadSection(file, sections.AsSpan((int)link * shentsize, shentsize), length);

            var names = new List<string>(count);
            // Elf64_Verdef: vd_version, vd_flags, vd_ndx, vd_cnt (u16), vd_hash, vd_aux, vd_next (u32);
            // Elf64_Verdaux: vda_name, vda_next (u32). The first aux entry names the version.
            int at = 0;
            for (int n = 0; n < count && at >= 0 && at + 20 <= verdef.Length; n++)
            {
                int aux = at + (int)BinaryPrimitives.ReadUInt32LittleEndian(verdef.AsSpan(at + 12));
                if (aux < 0 || aux + 8 > verdef.Length) break;
                int name = (int)BinaryPrimitives.ReadUInt32LittleEndian(verdef.AsSpan(aux));
                if (name >= 0 && name < strings.Length)
                {
                    int end = Array.IndexOf(strings, (byte)0, name);
                    names.Add(System.Text.Encoding.UTF8.GetString(strings, name, (end < 0 ? strings.Length : end) - name));
                }
                uint next = BinaryPrimitives.ReadUInt32LittleEndian(verdef.AsSpan(at + 16));
                if (next == 0) break;
                at += (int)next;
            }
            return [.. names];
        }
        return [];
    }

    private static byte[] ReadSection(Microsoft.Win32.SafeHandles.SafeFileHandle file, ReadOnlySpan<byte> header, long fileLength)
    {
        long offset = (long)BinaryPrimitives.ReadUInt64LittleEndian(header[24..]);
        long size = (long)BinaryPrimitives.ReadUInt64LittleEndian(header[32..]);
        if (offset < 0 || size < 0 || size > 1 << 20 || offset + size > fileLength) return [];
        var bytes = new byte[size];
        RandomAccess.Read(file, bytes, offset);
        return bytes;
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

    /// <summary>The architecture as <c>uname -m</c> and <c>file</c> name it: "x86_64", "aarch64", "32-bit" or "machine type N".</summary>
    public string MachineName => !Is64Bit ? "32-bit" : Machine switch
    {
        MachineX64 => "x86_64",
        MachineAArch64 => "aarch64",
        _ => $"machine type {Machine}",
    };

    /// <summary>This process's architecture in the words of <see cref="MachineName"/>.</summary>
    public static string ProcessMachineName => RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => "x86_64",
        Architecture.Arm64 => "aarch64",
        var other => other.ToString(),
    };

    /// <summary>Whether code in this file can run in the current process.</summary>
    public bool MatchesProcess() => IsElf && Is64Bit && IsLittleEndian && RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => Machine == MachineX64,
        Architecture.Arm64 => Machine == MachineAArch64,
        _ => false,
    };
}
