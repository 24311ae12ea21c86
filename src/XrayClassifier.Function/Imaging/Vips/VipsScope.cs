namespace XrayClassifier.Function.Imaging.Vips;

/// <summary>Owns the operations and images of one pipeline run and releases them together, newest
/// first, however the run ends.</summary>
internal sealed class VipsScope : IDisposable
{
    private readonly List<IDisposable> _owned = [];

    /// <summary>Builds operation <paramref name="name"/> with the inputs <paramref name="inputs"/> sets
    /// and returns its "out" image (both owned by this scope).</summary>
    public VipsImage Call(string name, Action<VipsOperation> inputs)
    {
        var operation = Own(VipsOperation.New(name));
        inputs(operation);
        operation.Build();
        return Own(operation.GetImage("out"));
    }

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
