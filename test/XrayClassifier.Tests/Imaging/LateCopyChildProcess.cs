using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text.Json;
using XrayClassifier.Function.Configuration;
using XrayClassifier.Function.Imaging;
using XrayClassifier.Tests.TestHelpers;

namespace XrayClassifier.Tests.Imaging;

/// <summary>
/// A fresh process for what the test host (libvips long loaded) cannot show: NetVips touched before
/// libvips.so.42 exists in the runtime folder — its module initializer fails — then the file copied in, and
/// the next pipeline creation working without a restart. Started with <c>dotnet exec</c> on the test
/// assembly (<see cref="TestChildProcess"/>).
/// </summary>
public static class LateCopyChildProcess
{
    private const string Mode = "vips-late-copy";

    /// <param name="NetVipsInitialisedFirst">What NetVips's module initializer reported when touched first.</param>
    /// <param name="FirstError">The platform error before the copy.</param>
    /// <param name="Tensor">The tensor for the image after the copy.</param>
    public sealed record Outcome(bool NetVipsInitialisedFirst, string FirstError, string Version, bool MappedFromFolder, float[] Tensor);

    [ModuleInitializer]
    internal static void RunIfChild() => TestChildProcess.RunIfChild(Mode, Run);

    public static Outcome Start(string runtimeFolder, string library, string image, PreprocessSpec spec)
    {
        return TestChildProcess.Run<Outcome>(Mode, new Dictionary<string, string?>
        {
            ["XRAY_TEST_RUNTIME"] = runtimeFolder,
            ["XRAY_TEST_LIBRARY"] = library,
            ["XRAY_TEST_IMAGE"] = image,
            ["XRAY_TEST_SPEC"] = JsonSerializer.Serialize(new[] { spec.Channels, spec.Width, spec.Height }),
        });
    }

    private static Outcome Run()
    {
        string folder = Environment.GetEnvironmentVariable("XRAY_TEST_RUNTIME")!;
        var size = JsonSerializer.Deserialize<int[]>(Environment.GetEnvironmentVariable("XRAY_TEST_SPEC")!)!;
        var spec = new PreprocessSpec(size[0], size[1], size[2], ResizeMode.Stretch, Interpolation.Bilinear,
            size[0] == 3 ? [0.485f, 0.456f, 0.406f] : [0.5f], size[0] == 3 ? [0.229f, 0.224f, 0.225f] : [0.25f]);
        var limits = new ImageLimits(20 * 1024 * 1024, 64L * 1024 * 1024, 64);

        bool initialisedFirst = TouchNetVips();
        string firstError;
        try
        {
            ImagePipeline.Create(folder, limits, threads: 2).Dispose();
            throw new InvalidOperationException("the pipeline was created before the library was copied");
        }
        catch (PlatformUnavailableException e)
        {
            firstError = e.Message;
        }

        File.Copy(Environment.GetEnvironmentVariable("XRAY_TEST_LIBRARY")!, Path.Combine(folder, EfsLayout.VipsFileName));
        using var pipeline = ImagePipeline.Create(folder, limits, threads: 2);
        var tensor = new float[spec.ElementCount];
        pipeline.PreprocessUpload(File.ReadAllBytes(Environment.GetEnvironmentVariable("XRAY_TEST_IMAGE")!), null, spec, tensor);
        bool mapped = File.ReadLines("/proc/self/maps").Any(l => l.Contains(Path.Combine(folder, EfsLayout.VipsFileName), StringComparison.Ordinal));
        return new Outcome(initialisedFirst, firstError, pipeline.VipsVersion, mapped, tensor);
    }

    /// <summary>Loads NetVips (running its module initializer) before the library is in place, as an
    /// early reference to a NetVips type anywhere in a handler would.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static bool TouchNetVips() => NetVips.ModuleInitializer.VipsInitialized;
}
