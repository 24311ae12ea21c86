namespace XrayClassifier.Function.Inference.Native;

/// <summary>
/// C <c>const OrtApi*</c>: a table of function pointers in header order, append-only across releases
/// (onnxruntime_c_api.h). Only the slots this project calls are read, each named exactly as the C member
/// with its C signature above it. Handles are <c>nint</c>; the comment names the C type.
/// Slot numbers are 0-based and were checked against the 1.30.0 library (see shared/reference/native.md).
/// </summary>
internal readonly unsafe struct OrtApi(void* table)
{
    private readonly void** _slots = (void**)table;

    public bool IsNull => _slots == null;

    // OrtErrorCode GetErrorCode(const OrtStatus* status)
    public delegate* unmanaged[Cdecl]<nint, OrtErrorCode> GetErrorCode =>
        (delegate* unmanaged[Cdecl]<nint, OrtErrorCode>)_slots[1];

    // const char* GetErrorMessage(const OrtStatus* status) — owned by the status
    public delegate* unmanaged[Cdecl]<nint, byte*> GetErrorMessage =>
        (delegate* unmanaged[Cdecl]<nint, byte*>)_slots[2];

    // OrtStatus* CreateEnv(OrtLoggingLevel log_severity_level, const char* logid, OrtEnv** out)
    public delegate* unmanaged[Cdecl]<OrtLoggingLevel, byte*, nint* /* OrtEnv** */, nint> CreateEnv =>
        (delegate* unmanaged[Cdecl]<OrtLoggingLevel, byte*, nint*, nint>)_slots[3];

    // OrtStatus* CreateSession(const OrtEnv* env, const char* model_path, const OrtSessionOptions* options, OrtSession** out)
    public delegate* unmanaged[Cdecl]<nint /* OrtEnv* */, byte*, nint /* OrtSessionOptions* */, nint* /* OrtSession** */, nint> CreateSession =>
        (delegate* unmanaged[Cdecl]<nint, byte*, nint, nint*, nint>)_slots[7];

    // OrtStatus* Run(OrtSession* session, const OrtRunOptions* run_options,
    //                const char* const* input_names, const OrtValue* const* inputs, size_t input_len,
    //                const char* const* output_names, size_t output_names_len, OrtValue** outputs)
    public delegate* unmanaged[Cdecl]<nint, nint, byte**, nint*, nuint, byte**, nuint, nint*, nint> Run =>
        (delegate* unmanaged[Cdecl]<nint, nint, byte**, nint*, nuint, byte**, nuint, nint*, nint>)_slots[9];

    // OrtStatus* CreateSessionOptions(OrtSessionOptions** options)
    public delegate* unmanaged[Cdecl]<nint* /* OrtSessionOptions** */, nint> CreateSessionOptions =>
        (delegate* unmanaged[Cdecl]<nint*, nint>)_slots[10];

    // OrtStatus* SetOptimizedModelFilePath(OrtSessionOptions* options, const char* optimized_model_filepath)
    public delegate* unmanaged[Cdecl]<nint, byte*, nint> SetOptimizedModelFilePath =>
        (delegate* unmanaged[Cdecl]<nint, byte*, nint>)_slots[11];

    // OrtStatus* SetSessionGraphOptimizationLevel(OrtSessionOptions* options, GraphOptimizationLevel graph_optimization_level)
    public delegate* unmanaged[Cdecl]<nint, GraphOptimizationLevel, nint> SetSessionGraphOptimizationLevel =>
        (delegate* unmanaged[Cdecl]<nint, GraphOptimizationLevel, nint>)_slots[23];

    // OrtStatus* SetIntraOpNumThreads(OrtSessionOptions* options, int intra_op_num_threads)
    public delegate* unmanaged[Cdecl]<nint, int, nint> SetIntraOpNumThreads =>
        (delegate* unmanaged[Cdecl]<nint, int, nint>)_slots[24];

    // OrtStatus* SetInterOpNumThreads(OrtSessionOptions* options, int inter_op_num_threads)
    public delegate* unmanaged[Cdecl]<nint, int, nint> SetInterOpNumThreads =>
        (delegate* unmanaged[Cdecl]<nint, int, nint>)_slots[25];

    // OrtStatus* SessionGetInputCount(const OrtSession* session, size_t* out)
    public delegate* unmanaged[Cdecl]<nint, nuint*, nint> SessionGetInputCount =>
        (delegate* unmanaged[Cdecl]<nint, nuint*, nint>)_slots[30];

    // OrtStatus* SessionGetOutputCount(const OrtSession* session, size_t* out)
    public delegate* unmanaged[Cdecl]<nint, nuint*, nint> SessionGetOutputCount =>
        (delegate* unmanaged[Cdecl]<nint, nuint*, nint>)_slots[31];

    // OrtStatus* SessionGetInputTypeInfo(const OrtSession* session, size_t index, OrtTypeInfo** type_info)
    public delegate* unmanaged[Cdecl]<nint, nuint, nint* /* OrtTypeInfo** */, nint> SessionGetInputTypeInfo =>
        (delegate* unmanaged[Cdecl]<nint, nuint, nint*, nint>)_slots[33];

    // OrtStatus* SessionGetOutputTypeInfo(const OrtSession* session, size_t index, OrtTypeInfo** type_info)
    public delegate* unmanaged[Cdecl]<nint, nuint, nint* /* OrtTypeInfo** */, nint> SessionGetOutputTypeInfo =>
        (delegate* unmanaged[Cdecl]<nint, nuint, nint*, nint>)_slots[34];

    // OrtStatus* SessionGetInputName(const OrtSession* session, size_t index, OrtAllocator* allocator, char** value)
    public delegate* unmanaged[Cdecl]<nint, nuint, nint /* OrtAllocator* */, byte**, nint> SessionGetInputName =>
        (delegate* unmanaged[Cdecl]<nint, nuint, nint, byte**, nint>)_slots[36];

    // OrtStatus* SessionGetOutputName(const OrtSession* session, size_t index, OrtAllocator* allocator, char** value)
    public delegate* unmanaged[Cdecl]<nint, nuint, nint /* OrtAllocator* */, byte**, nint> SessionGetOutputName =>
        (delegate* unmanaged[Cdecl]<nint, nuint, nint, byte**, nint>)_slots[37];

    // OrtStatus* CreateTensorWithDataAsOrtValue(const OrtMemoryInfo* info, void* p_data, size_t p_data_len,
    //     const int64_t* shape, size_t shape_len, ONNXTensorElementDataType type, OrtValue** out)
    public delegate* unmanaged[Cdecl]<nint, void*, nuint, long*, nuint, OnnxTensorElementDataType, nint* /* OrtValue** */, nint> CreateTensorWithDataAsOrtValue =>
        (delegate* unmanaged[Cdecl]<nint, void*, nuint, long*, nuint, OnnxTensorElementDataType, nint*, nint>)_slots[49];

    // OrtStatus* GetTensorMutableData(OrtValue* value, void** out)
    public delegate* unmanaged[Cdecl]<nint, void**, nint> GetTensorMutableData =>
        (delegate* unmanaged[Cdecl]<nint, void**, nint>)_slots[51];

    // OrtStatus* CastTypeInfoToTensorInfo(const OrtTypeInfo* type_info, const OrtTensorTypeAndShapeInfo** out)
    // — out belongs to type_info, NULL when the type is not a tensor
    public delegate* unmanaged[Cdecl]<nint, nint* /* const OrtTensorTypeAndShapeInfo** */, nint> CastTypeInfoToTensorInfo =>
        (delegate* unmanaged[Cdecl]<nint, nint*, nint>)_slots[55];

    // OrtStatus* GetTensorElementType(const OrtTensorTypeAndShapeInfo* info, ONNXTensorElementDataType* out)
    public delegate* unmanaged[Cdecl]<nint, OnnxTensorElementDataType*, nint> GetTensorElementType =>
        (delegate* unmanaged[Cdecl]<nint, OnnxTensorElementDataType*, nint>)_slots[60];

    // OrtStatus* GetDimensionsCount(const OrtTensorTypeAndShapeInfo* info, size_t* out)
    public delegate* unmanaged[Cdecl]<nint, nuint*, nint> GetDimensionsCount =>
        (delegate* unmanaged[Cdecl]<nint, nuint*, nint>)_slots[61];

    // OrtStatus* GetDimensions(const OrtTensorTypeAndShapeInfo* info, int64_t* dim_values, size_t dim_values_length)
    public delegate* unmanaged[Cdecl]<nint, long*, nuint, nint> GetDimensions =>
        (delegate* unmanaged[Cdecl]<nint, long*, nuint, nint>)_slots[62];

    // OrtStatus* GetSymbolicDimensions(const OrtTensorTypeAndShapeInfo* info, const char* dim_params[], size_t dim_params_length)
    // — the strings belong to info
    public delegate* unmanaged[Cdecl]<nint, byte**, nuint, nint> GetSymbolicDimensions =>
        (delegate* unmanaged[Cdecl]<nint, byte**, nuint, nint>)_slots[63];

    // OrtStatus* GetTensorShapeElementCount(const OrtTensorTypeAndShapeInfo* info, size_t* out)
    public delegate* unmanaged[Cdecl]<nint, nuint*, nint> GetTensorShapeElementCount =>
        (delegate* unmanaged[Cdecl]<nint, nuint*, nint>)_slots[64];

    // OrtStatus* GetTensorTypeAndShape(const OrtValue* value, OrtTensorTypeAndShapeInfo** out) — out is the caller's
    public delegate* unmanaged[Cdecl]<nint, nint* /* OrtTensorTypeAndShapeInfo** */, nint> GetTensorTypeAndShape =>
        (delegate* unmanaged[Cdecl]<nint, nint*, nint>)_slots[65];

    // OrtStatus* CreateCpuMemoryInfo(OrtAllocatorType type, OrtMemType mem_type, OrtMemoryInfo** out)
    public delegate* unmanaged[Cdecl]<OrtAllocatorType, OrtMemType, nint* /* OrtMemoryInfo** */, nint> CreateCpuMemoryInfo =>
        (delegate* unmanaged[Cdecl]<OrtAllocatorType, OrtMemType, nint*, nint>)_slots[69];

    // OrtStatus* AllocatorFree(OrtAllocator* ort_allocator, void* p)
    public delegate* unmanaged[Cdecl]<nint, void*, nint> AllocatorFree =>
        (delegate* unmanaged[Cdecl]<nint, void*, nint>)_slots[76];

    // OrtStatus* GetAllocatorWithDefaultOptions(OrtAllocator** out) — a process-wide singleton, never freed
    public delegate* unmanaged[Cdecl]<nint* /* OrtAllocator** */, nint> GetAllocatorWithDefaultOptions =>
        (delegate* unmanaged[Cdecl]<nint*, nint>)_slots[78];

    // void ReleaseEnv(OrtEnv* input)
    public delegate* unmanaged[Cdecl]<nint, void> ReleaseEnv => (delegate* unmanaged[Cdecl]<nint, void>)_slots[92];

    // void ReleaseStatus(OrtStatus* input)
    public delegate* unmanaged[Cdecl]<nint, void> ReleaseStatus => (delegate* unmanaged[Cdecl]<nint, void>)_slots[93];

    // void ReleaseMemoryInfo(OrtMemoryInfo* input)
    public delegate* unmanaged[Cdecl]<nint, void> ReleaseMemoryInfo => (delegate* unmanaged[Cdecl]<nint, void>)_slots[94];

    // void ReleaseSession(OrtSession* input)
    public delegate* unmanaged[Cdecl]<nint, void> ReleaseSession => (delegate* unmanaged[Cdecl]<nint, void>)_slots[95];

    // void ReleaseValue(OrtValue* input)
    public delegate* unmanaged[Cdecl]<nint, void> ReleaseValue => (delegate* unmanaged[Cdecl]<nint, void>)_slots[96];

    // void ReleaseTypeInfo(OrtTypeInfo* input)
    public delegate* unmanaged[Cdecl]<nint, void> ReleaseTypeInfo => (delegate* unmanaged[Cdecl]<nint, void>)_slots[98];

    // void ReleaseTensorTypeAndShapeInfo(OrtTensorTypeAndShapeInfo* input)
    public delegate* unmanaged[Cdecl]<nint, void> ReleaseTensorTypeAndShapeInfo => (delegate* unmanaged[Cdecl]<nint, void>)_slots[99];

    // void ReleaseSessionOptions(OrtSessionOptions* input)
    public delegate* unmanaged[Cdecl]<nint, void> ReleaseSessionOptions => (delegate* unmanaged[Cdecl]<nint, void>)_slots[100];

    // OrtStatus* AddSessionConfigEntry(OrtSessionOptions* options, const char* config_key, const char* config_value)
    public delegate* unmanaged[Cdecl]<nint, byte*, byte*, nint> AddSessionConfigEntry =>
        (delegate* unmanaged[Cdecl]<nint, byte*, byte*, nint>)_slots[130];
}
