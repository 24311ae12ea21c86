using XrayClassifier.Function.ApiGateway;
using XrayClassifier.Function.Imaging;

namespace XrayClassifier.Function.Hosting;

/// <summary>
/// A synthetic POST /classify event the constructor sends through the handler once the platform is
/// loaded. The first request of a process otherwise pays for JIT compilation of the whole request path and
/// for the image pipeline's first run (measured here: ~200 ms over a warm request for a 1024² PNG); in the
/// INIT phase that cost is off the client's clock. The image is a small grey PNG made on the spot by the
/// loaded libvips — no binary ships with the function. The event is built as API Gateway would send it, by the project's one event builder.
/// </summary>
internal static class WarmUpEvent
{
    public const string RequestId = "init-warm-up";

    /// <summary>The event for a <paramref name="side"/>² grey image with a diagonal gradient, encoded as PNG by the loaded
    /// <paramref name="pipeline"/>'s libvips.</summary>
    public static byte[] Create(int side, ImagePipeline pipeline)
    {
        var pixels = new byte[side * side];
        for (int y = 0; y < side; y++)
            for (int x = 0; x < side; x++) pixels[y * side + x] = (byte)((x + y) * 255 / (2 * side));
        return ProxyEventBuilder.Post("/classify")
            .WithRequestId(RequestId)
            .BinaryBody(pipeline.GreyPng(pixels, side, side), "image/png")
            .ToUtf8();
    }
}
