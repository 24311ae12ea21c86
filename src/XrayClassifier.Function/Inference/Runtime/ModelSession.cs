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
    public static ModelSession InPlace(SessionSettings settings, string path)
    {
        byte[] bytes;
        using (var file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read))
        {
            long length = RandomAccess.GetLength(file);
            if (length > Array.MaxLength) throw new IOException($"{path} is {length:N0} bytes, more than one array holds");
            bytes = GC.AllocateUninitializedArray<byte>((int)length, pinned: true);
            int filled = 0;
            while (filled < bytes.Length)
            {
                int read = RandomAccess.Read(file, bytes.AsSpan(filled), filled);
                if (read == 0) throw new IOException($"{path} ended at {filled:N0} of {length:N0} bytes while it was read");
                filled += read;
            }
        }
        return new ModelSession(settings.CreateSessionInPlace(bytes), bytes);
    }

    public void Dispose()
    {
        Session.Dispose();
        _bytesInUse = null;
    }
}
