using XrayClassifier.Function.Imaging.Native;

namespace XrayClassifier.Function.Imaging.Vips;

/// <summary>
/// One libvips operation called the way language bindings do, without C varargs:
/// vips_operation_new → g_object_set_property for each input → vips_cache_operation_build → read outputs
/// with g_object_get_property. Every argument name is checked with vips_object_get_argument first (an
/// unknown name would otherwise only log a GLib warning and be ignored), and every value is stored with
/// the GType the argument declares, so enums are set by nick, never by a hard-coded number.
/// </summary>
internal sealed unsafe class VipsOperation : IDisposable
{
    private nint _op;
    private bool _built;

    private VipsOperation(nint op, string name)
    {
        _op = op;
        Name = name;
    }

    /// <summary>The operation's nickname, e.g. "pngload_buffer", "resize".</summary>
    public string Name { get; }

    /// <summary>The VipsOperation* (for raw calls in tests).</summary>
    public nint Pointer => _op == 0 ? throw new ObjectDisposedException(Name) : _op;

    public static VipsOperation New(string name)
    {
        nint op;
        fixed (byte* n = Utf8Z.Get(name)) op = LibVips.vips_operation_new(n);
        if (op == 0) throw VipsException.FromErrorBuffer(name);
        return new VipsOperation(op, name);
    }

    public VipsOperation Set(string name, int value) => SetValue(name, &PutInt, value);
    public VipsOperation Set(string name, double value) => SetValue(name, &PutDouble, value);
    public VipsOperation Set(string name, bool value) => SetValue(name, &PutBoolean, value ? 1 : 0);
    public VipsOperation Set(string name, VipsImage image) => SetValue(name, &PutObject, image.Pointer);

    /// <summary>Sets an enum argument from its nick ("sequential", "error", "linear", …).</summary>
    public VipsOperation SetEnum(string name, string nick)
    {
        nuint type = ArgumentType(name);
        int value;
        fixed (byte* domain = Utf8Z.Get(Name), n = Utf8Z.Get(nick))
            value = LibVips.vips_enum_from_nick(domain, type, n);
        if (value < 0) throw VipsException.FromErrorBuffer($"{Name} {name}={nick}");
        return SetValue(name, &PutEnum, value);
    }

    /// <summary>Hands libvips its own copy of <paramref name="bytes"/>: loaders decode lazily, long after
    /// this call returns, so the blob must outlive the caller's buffer; libvips frees it with g_free.</summary>
    public VipsOperation SetBlobCopy(string name, ReadOnlySpan<byte> bytes)
    {
        ArgumentType(name);
        void* copy = LibVips.g_malloc((nuint)Math.Max(1, bytes.Length));
        bytes.CopyTo(new Span<byte>(copy, bytes.Length));
        GValue value = default;
        LibVips.g_value_init(&value, LibVips.vips_blob_get_type());
        LibVips.vips_value_set_blob_free(&value, copy, (nuint)bytes.Length);
        try
        {
            fixed (byte* n = Utf8Z.Get(name)) LibVips.g_object_set_property(_op, n, &value);
        }
        finally
        {
            LibVips.g_value_unset(&value);
        }
        return this;
    }

    /// <summary>Sets argument <paramref name="name"/> to the value another operation holds for it (e.g. a
    /// loader's "buffer" blob, shared by reference rather than copied again).</summary>
    public VipsOperation CopyArgument(string name, VipsOperation from)
    {
        nuint type = ArgumentType(name);
        GValue value = default;
        LibVips.g_value_init(&value, type);
        try
        {
            fixed (byte* n = Utf8Z.Get(name))
            {
                LibVips.g_object_get_property(from.Pointer, n, &value);
                LibVips.g_object_set_property(_op, n, &value);
            }
        }
        finally
        {
            LibVips.g_value_unset(&value);
        }
        return this;
    }

    /// <summary>Builds the operation (libvips computes headers here, pixels later). On failure the
    /// exception carries libvips's error text.</summary>
    public void Build()
    {
        if (_built) throw new InvalidOperationException($"{Name} is already built.");
        nint built = LibVips.vips_cache_operation_build(_op);
        if (built == 0)
        {
            var error = VipsException.FromErrorBuffer(Name);
            LibVips.vips_object_unref_outputs(_op);
            LibVips.g_object_unref(_op);
            _op = 0;
            throw error;
        }
        // The input keeps its own reference; the built operation (maybe a cache hit) is a new one.
        LibVips.g_object_unref(_op);
        _op = built;
        _built = true;
    }

    /// <summary>A new reference to an image output (e.g. "out").</summary>
    public VipsImage GetImage(string name)
    {
        RequireBuilt();
        GValue value = default;
        LibVips.g_value_init(&value, LibVips.vips_image_get_type());
        try
        {
            fixed (byte* n = Utf8Z.Get(name)) LibVips.g_object_get_property(_op, n, &value);
            nint image = LibVips.g_value_get_object(&value);
            if (image == 0) throw new VipsException(Name, $"output '{name}' is not set");
            // g_value_get_object borrows: take our own reference before the GValue lets go of its one.
            return new VipsImage(LibVips.g_object_ref(image));
        }
        finally
        {
            LibVips.g_value_unset(&value);
        }
    }

    /// <summary>A copy of a blob output (e.g. a saver's "buffer").</summary>
    public byte[] GetBlob(string name)
    {
        RequireBuilt();
        GValue value = default;
        LibVips.g_value_init(&value, LibVips.vips_blob_get_type());
        try
        {
            fixed (byte* n = Utf8Z.Get(name)) LibVips.g_object_get_property(_op, n, &value);
            nuint length;
            void* data = LibVips.vips_value_get_blob(&value, &length);
            if (data is null) throw new VipsException(Name, $"output '{name}' is not set");
            return new ReadOnlySpan<byte>(data, checked((int)length)).ToArray();
        }
        finally
        {
            LibVips.g_value_unset(&value);
        }
    }

    public void Dispose()
    {
        if (_op == 0) return;
        if (_built) LibVips.vips_object_unref_outputs(_op);
        LibVips.g_object_unref(_op);
        _op = 0;
    }

    private void RequireBuilt()
    {
        if (!_built) throw new InvalidOperationException($"{Name} is not built.");
    }

    /// <summary>The GType the argument declares (its pspec's value type); throws for an unknown name.</summary>
    private nuint ArgumentType(string name)
    {
        if (_op == 0) throw new ObjectDisposedException(Name);
        nint pspec, argumentClass, argumentInstance;
        int status;
        fixed (byte* n = Utf8Z.Get(name))
            status = LibVips.vips_object_get_argument(_op, n, &pspec, &argumentClass, &argumentInstance);
        if (status != 0) throw VipsException.FromErrorBuffer($"{Name} argument '{name}'");
        return LibVips.g_param_spec_get_default_value(pspec)->GType;
    }

    private static void PutInt(GValue* v, int x) => LibVips.g_value_set_int(v, x);
    private static void PutDouble(GValue* v, double x) => LibVips.g_value_set_double(v, x);
    private static void PutBoolean(GValue* v, int x) => LibVips.g_value_set_boolean(v, x);
    private static void PutEnum(GValue* v, int x) => LibVips.g_value_set_enum(v, x);
    private static void PutObject(GValue* v, nint x) => LibVips.g_value_set_object(v, x);

    private VipsOperation SetValue<T>(string name, delegate*<GValue*, T, void> set, T argument)
    {
        nuint type = ArgumentType(name);
        GValue value = default;
        LibVips.g_value_init(&value, type);
        try
        {
            set(&value, argument);
            fixed (byte* n = Utf8Z.Get(name)) LibVips.g_object_set_property(_op, n, &value);
        }
        finally
        {
            LibVips.g_value_unset(&value);
        }
        return this;
    }
}
