using System.Text;
using XrayClassifier.Function.Native;
using XrayClassifier.Tooling.Processes;

namespace XrayClassifier.Local.Hosting;

/// <summary>
/// How a bootstrap built for the other Lambda architecture runs on this machine: an aarch64 (Graviton) executable on an
/// x86_64 host runs under QEMU's user-mode emulator (Debian's qemu-user-static) as a Neoverse N1, Graviton2's core,
/// with Debian's arm64 cross libraries (libc6-arm64-cross, libstdc++6-arm64-cross: the loader, libc, libm, libresolv,
/// libstdc++ and libgcc_s that the bootstrap, ONNX Runtime and libvips link). Through binfmt_misc when the kernel has
/// qemu-aarch64 registered, else by naming the emulator. The code that runs is the arm64 build's, kernels and all;
/// its timings mean nothing (QEMU translates every instruction).
/// </summary>
public static class UserModeEmulation
{
    /// <summary>Where Debian's cross packages put the arm64 loader and libraries.</summary>
    public const string Arm64Libraries = "/usr/aarch64-linux-gnu/lib";

    private const string Emulator = "qemu-aarch64-static";
    private const string Cpu = "neoverse-n1";
    private const string BinfmtEntry = "/proc/sys/fs/binfmt_misc/qemu-aarch64";
    private const string HowToInstall = "apt-get install qemu-user-static libc6-arm64-cross libstdc++6-arm64-cross (tools/prerequisites.sh does)";

    /// <summary>Whether <paramref name="executable"/> is built for another architecture than this process's.</summary>
    public static bool IsForeign(string executable) => !ElfIdentity.Read(executable).MatchesProcess();

    /// <summary>The command that runs <paramref name="executable"/> here: itself when it matches this machine, else
    /// under QEMU. Throws, naming the packages, when it cannot run here at all.</summary>
    public static ProcessCommand Command(string executable, IReadOnlyList<string> arguments)
    {
        var elf = ElfIdentity.Read(executable);
        if (elf.MatchesProcess()) return new ProcessCommand(executable, arguments);
        if (elf.MachineName != "aarch64" || ElfIdentity.ProcessMachineName != "x86_64")
            throw new PlatformNotSupportedException(
                $"{executable} is built for {elf.MachineName}; this machine runs {ElfIdentity.ProcessMachineName} and emulates only aarch64 on x86_64");
        if (!File.Exists(Path.Combine(Arm64Libraries, "ld-linux-aarch64.so.1")))
            throw new PlatformNotSupportedException($"no arm64 loader in {Arm64Libraries} to run {executable} with: {HowToInstall}");

        string root = GuestRoot();
        // binfmt_misc starts the emulator itself; QEMU_LD_PREFIX and QEMU_CPU are its -L and -cpu.
        if (BinfmtRegistered())
            return new ProcessCommand(executable, arguments) { Environment = new Dictionary<string, string?> { ["QEMU_LD_PREFIX"] = root, ["QEMU_CPU"] = Cpu } };
        string emulator = FindOnPath(Emulator)
            ?? throw new PlatformNotSupportedException($"{executable} is an aarch64 executable and {Emulator} is not installed: {HowToInstall}");
        return new ProcessCommand(emulator, ["-L", root, "-cpu", Cpu, executable, .. arguments]);
    }

    /// <summary>
    /// QEMU's <c>-L</c> root: every absolute path the guest opens that exists under it is read from there. It holds
    /// lib/ (Debian's arm64 libraries) and proc/cpuinfo as a Graviton2 shows it (Neoverse N1 r3p1), one block per
    /// host CPU. QEMU 7.2 passes the host's x86 /proc/cpuinfo through otherwise, and ONNX Runtime's cpuinfo library,
    /// finding no ARM processor (no MIDR) in it, dereferences a null pointer while reading the cache topology: the
    /// process dies of SIGSEGV as ONNX Runtime loads. Made once per machine, in the temp folder.
    /// </summary>
    private static string GuestRoot()
    {
        int cpus = PossibleCpus();
        string root = Path.Combine(Path.GetTempPath(), $"xray-qemu-aarch64-{cpus}cpu");
        string cpuinfo = Path.Combine(root, "proc", "cpuinfo");
        if (File.Exists(cpuinfo) && Directory.Exists(Path.Combine(root, "lib"))) return root;

        // Built aside and renamed into place: tests and tools may start emulated processes at the same time.
        string building = $"{root}.{Guid.NewGuid():N}";
        Directory.CreateDirectory(Path.Combine(building, "proc"));
        Directory.CreateSymbolicLink(Path.Combine(building, "lib"), Arm64Libraries);
        var text = new StringBuilder();
        for (int i = 0; i < cpus; i++)
        {
            text.Append($"processor\t: {i}\nBogoMIPS\t: 243.75\n")
                .Append("Features\t: fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics fphp asimdhp cpuid asimdrdm lrcpc dcpop asimddp ssbs\n")
                .Append("CPU implementer\t: 0x41\nCPU architecture: 8\nCPU variant\t: 0x3\nCPU part\t: 0xd0c\nCPU revision\t: 1\n\n");
        }
        File.WriteAllText(Path.Combine(building, "proc", "cpuinfo"), text.ToString());
        try
        {
            Directory.Move(building, root);
        }
        catch (IOException) when (File.Exists(cpuinfo))
        {
            Directory.Delete(building, recursive: true);   // another process put the same root in place first
        }
        return root;
    }

    /// <summary>How many CPUs the kernel lists as possible (cpuinfo counts processors from that list), e.g. "0-1" → 2.</summary>
    private static int PossibleCpus()
    {
        try
        {
            int count = 0;
            foreach (var range in File.ReadAllText("/sys/devices/system/cpu/possible").Trim().Split(','))
            {
                var bounds = range.Split('-');
                count += bounds.Length == 2 ? int.Parse(bounds[1]) - int.Parse(bounds[0]) + 1 : 1;
            }
            return Math.Max(count, 1);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return Environment.ProcessorCount;
        }
    }

    private static bool BinfmtRegistered()
    {
        try
        {
            return File.Exists(BinfmtEntry) && File.ReadLines(BinfmtEntry).FirstOrDefault() == "enabled";
        }
        catch (IOException) { return false; }
        catch (UnauthorizedAccessException) { return false; }
    }

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, name)).FirstOrDefault(File.Exists);
}
