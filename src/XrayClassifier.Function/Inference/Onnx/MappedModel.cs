using System.IO.MemoryMappedFiles;

namespace XrayClassifier.Function.Inference.Onnx;

/// <summary>
/// A model file mapped read-only into memory, so that reading its graph touches only the pages holding the
/// graph's structure, not the weights between them (a 28 MB model is walked without being read whole).
/// </summary>
internal sealed unsafe class MappedModel : IDisposable
{
    private readonly MemoryMappedFile? _file;
    private readonly MemoryMappedViewAccessor? _view;
    private byte* _pointer;

    public MappedModel(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        Length = stream.Length;
        // ONNX models are protobuf, which caps a message at 2 GiB; larger weights live in external files.
        if (Length > int.MaxValue) throw new InvalidDataException($"{path} is {Length} bytes, over protobuf's 2 GiB limit");
        if (Length == 0) return;
        _file = MemoryMappedFile.CreateFromFile(stream, null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: false);
        _view = _file.CreateViewAccessor(0, Length, MemoryMappedFileAccess.Read);
        _view.SafeMemoryMappedViewHandle.AcquirePointer(ref _pointer);
        _pointer += _view.PointerOffset;
    }

    public long Length { get; }

    public ReadOnlySpan<byte> Span => _pointer == null ? [] : new(_pointer, (int)Length);

    public void Dispose()
    {
        if (_view is not null && _pointer != null)
        {
            _view.SafeMemoryMappedViewHandle.ReleasePointer();
            _pointer = null;
        }
        _view?.Dispose();
        _file?.Dispose();
    }
}
