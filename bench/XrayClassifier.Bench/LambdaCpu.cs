using System.Diagnostics;
using System.Globalization;

namespace XrayClassifier.Bench;

/// <summary>
/// Lambda's CPU credit, emulated: Lambda gives a function CPU in proportion to its memory (1,769 MB = one
/// vCPU; 3,008 MB ≈ 1.70) while the OS shows it two cores, and throttles it to that share. A CFS quota on a
/// cpu cgroup does the same to a process here. Each side gets its own group with the same quota, so time
/// one side burns (ONNX Runtime's pool threads spinning after a run, as the peer's do by default) is
/// charged to that side only. Needs root and a cpu cgroup controller (v1 or v2); otherwise unavailable.
/// </summary>
public sealed class LambdaCpu
{
    public const int MemoryMb = 3008;
    public const int MegabytesPerVcpu = 1769;
    private const int PeriodMicroseconds = 100_000;

    private LambdaCpu(string ours, string peer) { OursGroup = ours; PeerGroup = peer; }

    public string OursGroup { get; }
    public string PeerGroup { get; }

    public static double Vcpus => (double)MemoryMb / MegabytesPerVcpu;

    /// <summary>Creates (or reuses) the two groups; null with the reason when this machine cannot.</summary>
    public static LambdaCpu? TryCreate(out string? why)
    {
        why = null;
        int quota = (int)Math.Round(Vcpus * PeriodMicroseconds);
        try
        {
            if (Directory.Exists("/sys/fs/cgroup/cpu") && File.Exists("/sys/fs/cgroup/cpu/cpu.cfs_quota_us"))
            {
                string Make(string name)
                {
                    var dir = Path.Combine("/sys/fs/cgroup/cpu", name);
                    Directory.CreateDirectory(dir);
                    File.WriteAllText(Path.Combine(dir, "cpu.cfs_period_us"), PeriodMicroseconds.ToString(CultureInfo.InvariantCulture));
                    File.WriteAllText(Path.Combine(dir, "cpu.cfs_quota_us"), quota.ToString(CultureInfo.InvariantCulture));
                    return dir;
                }
                return new LambdaCpu(Make("xray-bench-ours"), Make("xray-bench-peer"));
            }
            if (File.Exists("/sys/fs/cgroup/cgroup.controllers") && File.ReadAllText("/sys/fs/cgroup/cgroup.controllers").Contains("cpu"))
            {
                string Make(string name)
                {
                    var dir = Path.Combine("/sys/fs/cgroup", name);
                    Directory.CreateDirectory(dir);
                    File.WriteAllText(Path.Combine(dir, "cpu.max"), $"{quota} {PeriodMicroseconds}");
                    return dir;
                }
                return new LambdaCpu(Make("xray-bench-ours"), Make("xray-bench-peer"));
            }
            why = "no cpu cgroup controller at /sys/fs/cgroup";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            why = $"cannot create cpu cgroups ({e.Message}); run as root";
        }
        return null;
    }

    /// <summary>Moves a whole process (all its threads) into <paramref name="group"/>.</summary>
    public static void Move(int pid, string group) =>
        File.WriteAllText(Path.Combine(group, "cgroup.procs"), pid.ToString(CultureInfo.InvariantCulture));
}
