using XrayClassifier.Function.Imaging.Native;

namespace XrayClassifier.Function.Imaging.Vips;

/// <summary>Pixels libvips wrote into memory it allocated (g_malloc); freed with g_free on dispose.</summary>
internal sealed unsafe class VipsMemory : IDisposable
{
    private void* _data;

    public VipsMemory(void* data, nuint length)
    {
        _data = data;
        Length = checked((int)length);
    }

    public int Length { get; }

    public ReadOnlySpan<byte> Bytes => _data is null
        ? throw new ObjectDisposedException(nameof(VipsMemory))
        : new ReadOnlySpan<byte>(_data, Length);

    public ReadOnlySpan<T> As<T>() where T : unmanaged => _data is null
        ? throw new ObjectDisposedException(nameof(VipsMemory))
        : new ReadOnlySpan<T>(_data, Length / sizeof(T));

    public void Dispose()
    {
        if (_data is not null)
        {
            LibVips.g_free(_data);
            _data = null;
        }
        GC.SuppressFinalize(this);
    }

    ~VipsMemory()
    {
        if (_data is not null) LibVips.g_free(_data);
    }
}
