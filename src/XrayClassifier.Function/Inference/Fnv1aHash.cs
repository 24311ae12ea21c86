namespace XrayClassifier.Function.Inference;

/// <summary>
/// 64-bit FNV-1a, for telling files apart, not for security (whoever can write the cache folder can
/// write the model too). Used instead of SHA-256 because the cache key is computed on every cold start,
/// and the first SHA-256 in a process loads OpenSSL, which costs more than hashing the bytes.
/// </summary>
internal struct Fnv1aHash()
{
    private const ulong Prime = 0x100000001b3;
    private ulong _state = 0xcbf29ce484222325;

    public void Append(ReadOnlySpan<byte> data)
    {
        ulong h = _state;
        foreach (byte b in data) h = (h ^ b) * Prime;
        _state = h;
    }

    public readonly ulong Value => _state;
}
