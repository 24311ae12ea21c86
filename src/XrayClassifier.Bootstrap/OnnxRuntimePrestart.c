/*
 * Starts ONNX Runtime's environment before .NET starts, in the Native AOT bootstrap only.
 *
 * Why: on a cold start with the optimised model cached, ORT's environment (20 ms of operator-schema registration),
 * the session and the first run are one chain on one core, and the chain began only when the function's code ran,
 * ~8 ms after exec (the runtime rehydrating its data, module initialisers, the host's start). A constructor runs
 * before all of that, so the chain starts at ~1 ms. ORT keeps one environment per process, behind a lock: when the
 * function later creates its own (OnnxRuntimeLibrary), it waits for and shares this one.
 *
 * Only a library the function has already checked is loaded here. The function's checks (ELF class and machine,
 * not truncated, ORT's version no older than its managed package) run before dlopen, so that a bad file is a clear
 * 503 and never a crash; after a file passes, the function leaves an empty stamp in the EFS cache whose name is the
 * file's identity (Inference/Runtime/OnnxRuntimePrestart.cs). Here nothing is parsed: the library is stat'ed and
 * loaded only if the stamp of that exact identity exists. Anything else (no stamp, a changed file, no EFS, another
 * ORT API version) starts nothing, and the function loads ORT as before.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <malloc.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#if defined(__x86_64__)
#define RUNTIME_IDENTIFIER "linux-x64"
#elif defined(__aarch64__)
#define RUNTIME_IDENTIFIER "linux-arm64"
#else
#error "Lambda runs x86_64 and arm64"
#endif

/* ORT's C API version: the minor version of Microsoft.ML.OnnxRuntime.Managed (1.32 → 32); the stamp names it. */
#define ORT_API_VERSION_USED 32
/* What OnnxRuntimeLibrary creates its environment with: the first creation's settings are the process's. */
#define ORT_LOGGING_LEVEL_WARNING 2
#define ORT_LOG_ID "xray-classifier"

/* The two entries used, at their fixed places: ORT's C API only ever appends (onnxruntime_c_api.h). */
typedef struct { const void *(*GetApi)(uint32_t version); const char *(*GetVersionString)(void); } OrtApiBase;
typedef void *(*CreateEnvFunction)(int level, const char *logid, void **env); /* OrtApi entry 3 */
typedef void (*ReleaseStatusFunction)(void *status);                        /* OrtApi entry 93 */
enum { CREATE_ENV_ENTRY = 3, RELEASE_STATUS_ENTRY = 93 };

static char library_path[4096];

static void *create_environment(void *unused)
{
    (void)unused;
    void *library = dlopen(library_path, RTLD_LAZY);  /* as .NET's NativeLibrary.Load; the function gets this handle */
    if (library == NULL) return NULL;
    const OrtApiBase *(*get_api_base)(void) = (const OrtApiBase *(*)(void))dlsym(library, "OrtGetApiBase");
    if (get_api_base == NULL) return NULL;
    void *const *api = (void *const *)get_api_base()->GetApi(ORT_API_VERSION_USED);
    if (api == NULL) return NULL;
    void *environment = NULL;  /* never released: the process's environment from now on */
    void *status = ((CreateEnvFunction)api[CREATE_ENV_ENTRY])(ORT_LOGGING_LEVEL_WARNING, ORT_LOG_ID, &environment);
    if (status != NULL) ((ReleaseStatusFunction)api[RELEASE_STATUS_ENTRY])(status);  /* the function will report it */
    return NULL;
}

/* XrayOptions' rules for the two variables: unset or blank means the default. */
static const char *variable(const char *name)
{
    const char *value = getenv(name);
    if (value == NULL) return NULL;
    for (const char *c = value; *c; c++)
        if (*c != ' ' && *c != '\t' && *c != '\n' && *c != '\r') return value;
    return NULL;
}

__attribute__((constructor)) static void prestart_onnx_runtime(void)
{
    const char *root = variable("XRAY_EFS_ROOT");
    if (root == NULL) root = "/mnt/efs";
    const char *native_directory = variable("XRAY_NATIVE_DIR");
    int n = native_directory != NULL
        ? snprintf(library_path, sizeof library_path, "%s/libonnxruntime.so", native_directory)
        : snprintf(library_path, sizeof library_path, "%s/runtime/" RUNTIME_IDENTIFIER "/libonnxruntime.so", root);
    if (n <= 0 || (size_t)n >= sizeof library_path) return;

    struct statx file;
    if (statx(AT_FDCWD, library_path, 0, STATX_BASIC_STATS, &file) != 0) return;
    char stamp[4096];
    n = snprintf(stamp, sizeof stamp,
        "%s/cache/onnxruntime-checked." RUNTIME_IDENTIFIER ".api%d.%u-%u.%llu.%llu.%lld.%u.%lld.%u", root, ORT_API_VERSION_USED,
        file.stx_dev_major, file.stx_dev_minor, (unsigned long long)file.stx_ino, (unsigned long long)file.stx_size,
        (long long)file.stx_mtime.tv_sec, file.stx_mtime.tv_nsec, (long long)file.stx_ctime.tv_sec, file.stx_ctime.tv_nsec);
    if (n <= 0 || (size_t)n >= sizeof stamp || access(stamp, F_OK) != 0) return;

    /* What OnnxRuntimeLibrary and NativeHeap set before ORT loads; both keep what is set here. */
    setenv("ORT_DISABLE_TELEMETRY", "1", 0);
    mallopt(M_TOP_PAD, 64 * 1024 * 1024);

    pthread_attr_t attributes;
    pthread_t thread;
    if (pthread_attr_init(&attributes) != 0) return;
    pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
    if (pthread_create(&thread, &attributes, create_environment, NULL) == 0)
        setenv("XRAY_ONNXRUNTIME_PRESTARTED", "1", 1);  /* read by the function for its INIT line */
    pthread_attr_destroy(&attributes);
}
