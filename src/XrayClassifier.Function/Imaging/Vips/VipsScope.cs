namespace XrayClassifier.Function.Imaging.Vips;

/// <summary>Owns the operations and images of one pipeline run and releases them together, newest
/// first, however the run ends.</summary>
internal sealed class VipsScope : IDisposable
{
    private readonly List<IDisposable> _owned = [];

    public T Own<T>(T disposable) where T : IDisposable
    {
        _owned.Add(disposable);
        return disposable;
    }

    public void Dispose()
    {
        for (int i = _owned.Count - 1; i >= 0; i--) _owned[i].Dispose();
        _owned.Clear();
    }
}
