using System.Buffers;

namespace XrayClassifier.Function.ApiGateway;

/// <summary>
/// Pooled byte arrays rented for one request (the event, the decoded image, …) and returned together when
/// the request is answered. Everything that borrows from these arrays must be finished by then — the
/// handler awaits the workspace write before it disposes the lease.
/// </summary>
public sealed class BufferLease : IDisposable
{
    private readonly List<byte[]> _rented = new(4);
    private bool _disposed;

    /// <summary>An array of at least <paramref name="minimumLength"/> bytes (contents undefined).</summary>
    public byte[] Rent(int minimumLength)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var array = ArrayPool<byte>.Shared.Rent(Math.Max(minimumLength, 1));
        lock (_rented) _rented.Add(array);
        return array;
    }

    /// <summary>Returns one array early (for a buffer that was outgrown).</summary>
    public void Return(byte[] array)
    {
        lock (_rented)
        {
            if (!_rented.Remove(array)) return;
        }
        ArrayPool<byte>.Shared.Return(array);
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        lock (_rented)
        {
            foreach (var array in _rented) ArrayPool<byte>.Shared.Return(array);
            _rented.Clear();
        }
    }
}
