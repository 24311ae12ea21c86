using System.Runtime.InteropServices;

namespace XrayClassifier.Function.Imaging.Native;

/// <summary>
/// The raw libvips / GObject / GLib C functions the pipeline calls, resolved from one loaded
/// libvips-cpp.so (the npm build links GLib statically, so every g_* symbol comes from the same file).
/// Function pointers rather than [DllImport]: the library lives on EFS at a path known only at run time,
/// and an assembly can have just one DllImport resolver, which the ONNX Runtime binding may want.
/// Each field is named exactly as the C function, with its C signature above it. No logic here.
/// GType is gsize (nuint); gboolean is int; size_t/gsize is nuint.
/// </summary>
internal static unsafe class LibVips
{
    // int vips_init(const char *argv0);
    public static delegate* unmanaged<byte*, int> vips_init;
    // const char *vips_version_string(void);
    public static delegate* unmanaged<byte*> vips_version_string;
    // int vips_version(int flag);
    public static delegate* unmanaged<int, int> vips_version;
    // void vips_block_untrusted_set(gboolean state);
    public static delegate* unmanaged<int, void> vips_block_untrusted_set;
    // void vips_concurrency_set(int concurrency);
    public static delegate* unmanaged<int, void> vips_concurrency_set;
    // int vips_concurrency_get(void);
    public static delegate* unmanaged<int> vips_concurrency_get;
    // void vips_cache_set_max(int max);
    public static delegate* unmanaged<int, void> vips_cache_set_max;
    // void vips_cache_set_max_mem(size_t max_mem);
    public static delegate* unmanaged<nuint, void> vips_cache_set_max_mem;
    // void vips_cache_set_max_files(int max_files);
    public static delegate* unmanaged<int, void> vips_cache_set_max_files;
    // int vips_cache_get_max(void);
    public static delegate* unmanaged<int> vips_cache_get_max;
    // const char *vips_error_buffer(void);
    public static delegate* unmanaged<byte*> vips_error_buffer;
    // void vips_error_clear(void);
    public static delegate* unmanaged<void> vips_error_clear;
    // GType vips_type_find(const char *basename, const char *nickname);
    public static delegate* unmanaged<byte*, byte*, nuint> vips_type_find;

    // VipsOperation *vips_operation_new(const char *name);
    public static delegate* unmanaged<byte*, nint> vips_operation_new;
    // VipsOperation *vips_cache_operation_build(VipsOperation *operation);
    public static delegate* unmanaged<nint, nint> vips_cache_operation_build;
    // void vips_object_unref_outputs(VipsObject *object);
    public static delegate* unmanaged<nint, void> vips_object_unref_outputs;
    // int vips_object_get_argument(VipsObject *object, const char *name, GParamSpec **pspec,
    //     VipsArgumentClass **argument_class, VipsArgumentInstance **argument_instance);
    public static delegate* unmanaged<nint, byte*, nint*, nint*, nint*, int> vips_object_get_argument;
    // int vips_enum_from_nick(const char *domain, GType type, const char *str);
    public static delegate* unmanaged<byte*, nuint, byte*, int> vips_enum_from_nick;
    // const char *vips_enum_nick(GType enm, int value);
    public static delegate* unmanaged<nuint, int, byte*> vips_enum_nick;

    // GType vips_image_get_type(void);
    public static delegate* unmanaged<nuint> vips_image_get_type;
    // GType vips_blob_get_type(void);
    public static delegate* unmanaged<nuint> vips_blob_get_type;
    // GType vips_interpretation_get_type(void);
    public static delegate* unmanaged<nuint> vips_interpretation_get_type;
    // GType vips_band_format_get_type(void);
    public static delegate* unmanaged<nuint> vips_band_format_get_type;

    // int vips_image_get_width(const VipsImage *image);
    public static delegate* unmanaged<nint, int> vips_image_get_width;
    // int vips_image_get_height(const VipsImage *image);
    public static delegate* unmanaged<nint, int> vips_image_get_height;
    // int vips_image_get_bands(const VipsImage *image);
    public static delegate* unmanaged<nint, int> vips_image_get_bands;
    // VipsBandFormat vips_image_get_format(const VipsImage *image);
    public static delegate* unmanaged<nint, int> vips_image_get_format;
    // VipsInterpretation vips_image_get_interpretation(const VipsImage *image);
    public static delegate* unmanaged<nint, int> vips_image_get_interpretation;
    // GType vips_image_get_typeof(const VipsImage *image, const char *name);
    public static delegate* unmanaged<nint, byte*, nuint> vips_image_get_typeof;
    // int vips_image_get_int(const VipsImage *image, const char *name, int *out);
    public static delegate* unmanaged<nint, byte*, int*, int> vips_image_get_int;
    // void vips_image_set_int(VipsImage *image, const char *name, int i);
    public static delegate* unmanaged<nint, byte*, int, void> vips_image_set_int;
    // void *vips_image_write_to_memory(VipsImage *in, size_t *size);
    public static delegate* unmanaged<nint, nuint*, void*> vips_image_write_to_memory;
    // VipsImage *vips_image_new_from_memory_copy(const void *data, size_t size, int width, int height,
    //     int bands, VipsBandFormat format);
    public static delegate* unmanaged<void*, nuint, int, int, int, int, nint> vips_image_new_from_memory_copy;

    // VipsRegion *vips_region_new(VipsImage *image);
    public static delegate* unmanaged<nint, nint> vips_region_new;
    // VipsPel *vips_region_fetch(VipsRegion *region, int left, int top, int width, int height, size_t *len);
    public static delegate* unmanaged<nint, int, int, int, int, nuint*, byte*> vips_region_fetch;
    // void vips_value_set_blob_free(GValue *value, void *data, size_t length);
    public static delegate* unmanaged<GValue*, void*, nuint, void> vips_value_set_blob_free;
    // void *vips_value_get_blob(const GValue *value, size_t *length);
    public static delegate* unmanaged<GValue*, nuint*, void*> vips_value_get_blob;

    // gpointer g_malloc(gsize n_bytes);
    public static delegate* unmanaged<nuint, void*> g_malloc;
    // void g_free(gpointer mem);
    public static delegate* unmanaged<void*, void> g_free;
    // GType g_type_from_name(const gchar *name);
    public static delegate* unmanaged<byte*, nuint> g_type_from_name;
    // GValue *g_value_init(GValue *value, GType g_type);
    public static delegate* unmanaged<GValue*, nuint, GValue*> g_value_init;
    // void g_value_unset(GValue *value);
    public static delegate* unmanaged<GValue*, void> g_value_unset;
    // void g_value_set_boolean(GValue *value, gboolean v_boolean);
    public static delegate* unmanaged<GValue*, int, void> g_value_set_boolean;
    // void g_value_set_int(GValue *value, gint v_int);
    public static delegate* unmanaged<GValue*, int, void> g_value_set_int;
    // void g_value_set_double(GValue *value, gdouble v_double);
    public static delegate* unmanaged<GValue*, double, void> g_value_set_double;
    // void g_value_set_string(GValue *value, const gchar *v_string);
    public static delegate* unmanaged<GValue*, byte*, void> g_value_set_string;
    // void g_value_set_enum(GValue *value, gint v_enum);
    public static delegate* unmanaged<GValue*, int, void> g_value_set_enum;
    // void g_value_set_object(GValue *value, gpointer v_object);
    public static delegate* unmanaged<GValue*, nint, void> g_value_set_object;
    // gpointer g_value_get_object(const GValue *value);
    public static delegate* unmanaged<GValue*, nint> g_value_get_object;
    // void g_object_set_property(GObject *object, const gchar *property_name, const GValue *value);
    public static delegate* unmanaged<nint, byte*, GValue*, void> g_object_set_property;
    // void g_object_get_property(GObject *object, const gchar *property_name, GValue *value);
    public static delegate* unmanaged<nint, byte*, GValue*, void> g_object_get_property;
    // gpointer g_object_ref(gpointer object);
    public static delegate* unmanaged<nint, nint> g_object_ref;
    // void g_object_unref(gpointer object);
    public static delegate* unmanaged<nint, void> g_object_unref;
    // const GValue *g_param_spec_get_default_value(GParamSpec *pspec);
    public static delegate* unmanaged<nint, GValue*> g_param_spec_get_default_value;
    // guint g_log_set_handler(const gchar *log_domain, GLogLevelFlags log_levels, GLogFunc log_func,
    //     gpointer user_data);  GLogFunc: void (*)(const gchar *log_domain, GLogLevelFlags log_level,
    //     const gchar *message, gpointer user_data)
    public static delegate* unmanaged<byte*, int, delegate* unmanaged<byte*, int, byte*, nint, void>, nint, uint> g_log_set_handler;

    /// <summary>Resolves every function from <paramref name="library"/>; returns the names it could not find.</summary>
    public static List<string> Bind(nint library)
    {
        var missing = new List<string>();

        nint P(string name)
        {
            if (NativeLibrary.TryGetExport(library, name, out nint address)) return address;
            missing.Add(name);
            return 0;
        }

        vips_init = (delegate* unmanaged<byte*, int>)P(nameof(vips_init));
        vips_version_string = (delegate* unmanaged<byte*>)P(nameof(vips_version_string));
        vips_version = (delegate* unmanaged<int, int>)P(nameof(vips_version));
        vips_block_untrusted_set = (delegate* unmanaged<int, void>)P(nameof(vips_block_untrusted_set));
        vips_concurrency_set = (delegate* unmanaged<int, void>)P(nameof(vips_concurrency_set));
        vips_concurrency_get = (delegate* unmanaged<int>)P(nameof(vips_concurrency_get));
        vips_cache_set_max = (delegate* unmanaged<int, void>)P(nameof(vips_cache_set_max));
        vips_cache_set_max_mem = (delegate* unmanaged<nuint, void>)P(nameof(vips_cache_set_max_mem));
        vips_cache_set_max_files = (delegate* unmanaged<int, void>)P(nameof(vips_cache_set_max_files));
        vips_cache_get_max = (delegate* unmanaged<int>)P(nameof(vips_cache_get_max));
        vips_error_buffer = (delegate* unmanaged<byte*>)P(nameof(vips_error_buffer));
        vips_error_clear = (delegate* unmanaged<void>)P(nameof(vips_error_clear));
        vips_type_find = (delegate* unmanaged<byte*, byte*, nuint>)P(nameof(vips_type_find));
        vips_operation_new = (delegate* unmanaged<byte*, nint>)P(nameof(vips_operation_new));
        vips_cache_operation_build = (delegate* unmanaged<nint, nint>)P(nameof(vips_cache_operation_build));
        vips_object_unref_outputs = (delegate* unmanaged<nint, void>)P(nameof(vips_object_unref_outputs));
        vips_object_get_argument = (delegate* unmanaged<nint, byte*, nint*, nint*, nint*, int>)P(nameof(vips_object_get_argument));
        vips_enum_from_nick = (delegate* unmanaged<byte*, nuint, byte*, int>)P(nameof(vips_enum_from_nick));
        vips_enum_nick = (delegate* unmanaged<nuint, int, byte*>)P(nameof(vips_enum_nick));
        vips_image_get_type = (delegate* unmanaged<nuint>)P(nameof(vips_image_get_type));
        vips_blob_get_type = (delegate* unmanaged<nuint>)P(nameof(vips_blob_get_type));
        vips_interpretation_get_type = (delegate* unmanaged<nuint>)P(nameof(vips_interpretation_get_type));
        vips_band_format_get_type = (delegate* unmanaged<nuint>)P(nameof(vips_band_format_get_type));
        vips_image_get_width = (delegate* unmanaged<nint, int>)P(nameof(vips_image_get_width));
        vips_image_get_height = (delegate* unmanaged<nint, int>)P(nameof(vips_image_get_height));
        vips_image_get_bands = (delegate* unmanaged<nint, int>)P(nameof(vips_image_get_bands));
        vips_image_get_format = (delegate* unmanaged<nint, int>)P(nameof(vips_image_get_format));
        vips_image_get_interpretation = (delegate* unmanaged<nint, int>)P(nameof(vips_image_get_interpretation));
        vips_image_get_typeof = (delegate* unmanaged<nint, byte*, nuint>)P(nameof(vips_image_get_typeof));
        vips_image_get_int = (delegate* unmanaged<nint, byte*, int*, int>)P(nameof(vips_image_get_int));
        vips_image_set_int = (delegate* unmanaged<nint, byte*, int, void>)P(nameof(vips_image_set_int));
        vips_image_write_to_memory = (delegate* unmanaged<nint, nuint*, void*>)P(nameof(vips_image_write_to_memory));
        vips_image_new_from_memory_copy = (delegate* unmanaged<void*, nuint, int, int, int, int, nint>)P(nameof(vips_image_new_from_memory_copy));
        vips_region_new = (delegate* unmanaged<nint, nint>)P(nameof(vips_region_new));
        vips_region_fetch = (delegate* unmanaged<nint, int, int, int, int, nuint*, byte*>)P(nameof(vips_region_fetch));
        vips_value_set_blob_free = (delegate* unmanaged<GValue*, void*, nuint, void>)P(nameof(vips_value_set_blob_free));
        vips_value_get_blob = (delegate* unmanaged<GValue*, nuint*, void*>)P(nameof(vips_value_get_blob));
        g_malloc = (delegate* unmanaged<nuint, void*>)P(nameof(g_malloc));
        g_free = (delegate* unmanaged<void*, void>)P(nameof(g_free));
        g_type_from_name = (delegate* unmanaged<byte*, nuint>)P(nameof(g_type_from_name));
        g_value_init = (delegate* unmanaged<GValue*, nuint, GValue*>)P(nameof(g_value_init));
        g_value_unset = (delegate* unmanaged<GValue*, void>)P(nameof(g_value_unset));
        g_value_set_boolean = (delegate* unmanaged<GValue*, int, void>)P(nameof(g_value_set_boolean));
        g_value_set_int = (delegate* unmanaged<GValue*, int, void>)P(nameof(g_value_set_int));
        g_value_set_double = (delegate* unmanaged<GValue*, double, void>)P(nameof(g_value_set_double));
        g_value_set_string = (delegate* unmanaged<GValue*, byte*, void>)P(nameof(g_value_set_string));
        g_value_set_enum = (delegate* unmanaged<GValue*, int, void>)P(nameof(g_value_set_enum));
        g_value_set_object = (delegate* unmanaged<GValue*, nint, void>)P(nameof(g_value_set_object));
        g_value_get_object = (delegate* unmanaged<GValue*, nint>)P(nameof(g_value_get_object));
        g_object_set_property = (delegate* unmanaged<nint, byte*, GValue*, void>)P(nameof(g_object_set_property));
        g_object_get_property = (delegate* unmanaged<nint, byte*, GValue*, void>)P(nameof(g_object_get_property));
        g_object_ref = (delegate* unmanaged<nint, nint>)P(nameof(g_object_ref));
        g_object_unref = (delegate* unmanaged<nint, void>)P(nameof(g_object_unref));
        g_param_spec_get_default_value = (delegate* unmanaged<nint, GValue*>)P(nameof(g_param_spec_get_default_value));
        g_log_set_handler = (delegate* unmanaged<byte*, int, delegate* unmanaged<byte*, int, byte*, nint, void>, nint, uint>)P(nameof(g_log_set_handler));
        return missing;
    }
}
