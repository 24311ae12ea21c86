using Microsoft.ML.OnnxRuntime;

namespace XrayClassifier.Function.Inference.Runtime;

/// <summary>
/// An ORT session together with the model bytes it reads its weights from, when it was created from an
/// optimised-model cache entry used in place (<see cref="SessionSettings.CreateSessionInPlace"/>).
/// </summary>
internal sealed class ModelSession : IDisposable
{
    // ORT keeps pointers into these bytes for the session's lifetime, so they live on the pinned object heap
    // (never moved by the GC) and are referenced from here until the session is gone.
    private byte[]? _bytesInUse;

    private ModelSession(InferenceSession session, byte[]? bytesInUse)
    {
        Session = session;
        _bytesInUse = bytesInUse;
    }

    public InferenceSession Session { get; }

    /// <summary>A session that owns everything it uses.</summary>
    public static ModelSession Owning(InferenceSession session) => new(session, null);

    /// <summary>Reads the ORT-format model at <paramref name="path"/> into pinned memory and creates the session on it.
    /// Throws <see cref="OnnxRuntimeException"/> for a file that is not a complete ORT-format model, IO exceptions when it cannot be read.</summary>
    public static ModelSession InPlace(SessionSettings settings, string path) => InPlace(settings, PinnedModelFile.Read(path));

    /// <summary>Creates the session on an ORT-format model already read by <see cref="PinnedModelFile.Read"/>; keeps the bytes alive with it.
    /// Throws <see cref="OnnxRuntimeException"/> for bytes that are not a complete ORT-format model.</summary>
    public static ModelSession InPlace(SessionSettings settings, byte[] pinnedOrtModel) =>
        new(settings.CreateSessionInPlace(pinnedOrtModel), pinnedOrtModel);

    public void Dispose()
    {
        Session.Dispose();
        _bytesInUse = null;
    }
}
