using System.Globalization;

namespace XrayClassifier.Function.Configuration;

/// <summary>What <c>XRAY_STORE_UPLOADS</c> asks for.</summary>
public enum UploadStorageMode
{
    /// <summary>An upload that cannot be stored fails the request with 503 (the default).</summary>
    Required,
    /// <summary>Answer anyway with <c>stored: null</c> and log a warning.</summary>
    Optional,
    /// <summary>Never store uploads.</summary>
    Off,
}

/// <summary>What <c>XRAY_DICOM_STORE</c> asks the workspace to keep of a DICOM upload.</summary>
public enum DicomStorageMode
{
    /// <summary>The classified frame as a lossless PNG and a record of the allowed attributes: no patient data (the default).</summary>
    Derivative,
    /// <summary>The uploaded file as it came, patient data included (sites whose EFS is their PACS-side store).</summary>
    Original,
}

/// <summary>
/// Every setting the function reads, from environment variables: this class (and the types it builds here,
/// <see cref="UploadBucketSettings"/>, <see cref="SigningCredentials"/>, <see cref="ResultsDestinationSettings"/>, <see cref="SignInSettings"/>) is the only code that reads them. Parsing never
/// throws: a bad value is kept in <see cref="Problems"/> so the function can answer 503 naming the variable instead of
/// failing its INIT phase (which Lambda reports to the client as an opaque 502).
/// </summary>
public sealed class XrayOptions
{
    public const string DefaultEfsRoot = "/mnt/efs";
    public const string DefaultModelName = "chest-xray";
    public const string FunctionNameVariable = "AWS_LAMBDA_FUNCTION_NAME";
    public const string RuntimeApiVariable = "AWS_LAMBDA_RUNTIME_API";
    /// <summary>The function's name in log lines outside Lambda.</summary>
    public const string LocalFunctionName = "local";

    /// <summary>Root of the EFS access point as mounted in the function (<c>XRAY_EFS_ROOT</c>).</summary>
    public string EfsRoot { get; init; } = DefaultEfsRoot;
    /// <summary>Folder name under <c>{root}/models/</c> (<c>XRAY_MODEL</c>).</summary>
    public string ModelName { get; init; } = DefaultModelName;
    /// <summary>Overrides <c>{root}/runtime/{rid}/</c> (<c>XRAY_NATIVE_DIR</c>).</summary>
    public string? NativeDirectory { get; init; }
    /// <summary>Whether the Native AOT bootstrap started ONNX Runtime's environment before .NET started
    /// (<c>XRAY_ONNXRUNTIME_PRESTARTED</c>, set by its constructor, not by users: Inference/Runtime/OnnxRuntimePrestart.cs).</summary>
    public bool OnnxRuntimePrestarted { get; init; }
    /// <summary>Explicit ONNX Runtime intra-op thread count (<c>XRAY_ORT_THREADS</c>).</summary>
    public int? OrtThreads { get; init; }
    /// <summary>Lambda's configured memory (<c>AWS_LAMBDA_FUNCTION_MEMORY_SIZE</c>), which sets CPU credit.</summary>
    public int? LambdaMemoryMb { get; init; }
    /// <summary>How Lambda started this environment (<c>AWS_LAMBDA_INITIALIZATION_TYPE</c>: <c>on-demand</c>,
    /// <c>provisioned-concurrency</c>, <c>snap-start</c>), or null outside Lambda. Chooses the INIT warm-up.</summary>
    public string? InitializationType { get; init; }
    public UploadStorageMode StoreUploads { get; init; } = UploadStorageMode.Required;
    /// <summary>What the workspace keeps of a DICOM upload (<c>XRAY_DICOM_STORE</c>).</summary>
    public DicomStorageMode DicomStore { get; init; } = DicomStorageMode.Derivative;
    /// <summary>Value of Access-Control-Allow-Origin (<c>XRAY_CORS_ORIGIN</c>).</summary>
    public string CorsOrigin { get; init; } = "*";
    /// <summary>The credential API Gateway asks callers for (<c>XRAY_API_AUTHORIZER</c>): what the web page asks for.</summary>
    public ApiAuthorizer ApiAuthorizer { get; init; } = ApiAuthorizer.API_KEY;
    /// <summary>Where the web page signs its user in for a token (<c>XRAY_SIGNIN_*</c>); not configured by default. Its
    /// problems are among <see cref="Problems"/>.</summary>
    public SignInSettings SignIn { get; init; } = new();
    /// <summary>True when <c>XRAY_OIDC_ISSUER</c> is set: this environment is the API's Lambda TOKEN authorizer (Authorizer JWT)
    /// and nothing else — it loads nothing from EFS and answers only API Gateway's TOKEN events.</summary>
    public bool IsTokenAuthorizer { get; init; }
    /// <summary>The issuer and audience the token authorizer admits, or null (not the authorizer, or its settings are
    /// unusable: <see cref="OidcIssuerProblems"/>).</summary>
    public OidcIssuerSettings? OidcIssuer { get; init; }
    /// <summary>Why <see cref="OidcIssuer"/> is unusable: the authorizer fails each invocation saying so.</summary>
    public IReadOnlyList<string> OidcIssuerProblems { get; init; } = [];
    /// <summary>Largest accepted encoded image (<c>XRAY_MAX_IMAGE_BYTES</c>).</summary>
    public long MaxImageBytes { get; init; } = 10 * 1024 * 1024;
    /// <summary>Largest accepted width×height, checked from the header before decoding (<c>XRAY_MAX_PIXELS</c>).</summary>
    public long MaxPixels { get; init; } = 64L * 1024 * 1024;
    /// <summary>Smallest accepted width and height (<c>XRAY_MIN_IMAGE_SIDE</c>).</summary>
    public int MinImageSide { get; init; } = 64;

    /// <summary>The function's name (<c>AWS_LAMBDA_FUNCTION_NAME</c>, which Lambda sets), the log lines' dimension;
    /// <see cref="LocalFunctionName"/> outside Lambda.</summary>
    public string FunctionName { get; init; } = LocalFunctionName;

    /// <summary>Lambda's Runtime API, host:port (<c>AWS_LAMBDA_RUNTIME_API</c>), which the custom runtime (the Native AOT
    /// bootstrap) polls for events; null outside Lambda's <c>provided.al2023</c> runtime.</summary>
    public string? RuntimeApi { get; init; }

    /// <summary>The upload bucket for studies over Lambda's 6 MB event (<c>XRAY_UPLOAD_BUCKET</c> …). Its problems are its
    /// own (<see cref="UploadBucketSettings.Problems"/>): a bad upload setting fails only POST …/uploads, not classification.</summary>
    public UploadBucketSettings Uploads { get; init; } = new();

    /// <summary>Where an archive's results go, beside their sources in the same bucket (<c>XRAY_RESULTS_PREFIX</c>):
    /// <c>{prefix}{key}.json</c>. Objects under it are never classified (an S3 notification on the bucket would loop).</summary>
    public string ResultsPrefix { get; init; } = DefaultResultsPrefix;
    public const string DefaultResultsPrefix = "results/";
    public const string ResultsPrefixVariable = "XRAY_RESULTS_PREFIX";

    /// <summary>The representations an archive writes besides the JSON answer unless a job says otherwise
    /// (<c>XRAY_RESULT_REPRESENTATIONS</c>: a comma list of json, fhir, sr).</summary>
    public string ResultRepresentations { get; init; } = "json";
    public const string ResultRepresentationsVariable = "XRAY_RESULT_REPRESENTATIONS";

    /// <summary>How many objects of one archive invocation (a Distributed Map batch, an S3 notification's records) share one
    /// model run (<c>XRAY_ARCHIVE_BATCH_SIZE</c>; 1 runs each alone, as S3 Batch's one task per invocation always does). Only
    /// a model whose batch axis is dynamic runs batches (Archive/ArchiveClassification decides).</summary>
    public int ArchiveBatchSize { get; init; } = DefaultArchiveBatchSize;
    /// <summary>4: on the default DenseNet-121 (bench <c>batch</c>, bench/RESULTS.md) an image costs ≈0.69× of a run of
    /// one at batch 4 and ≈0.73× at 2; more adds memory (≈0.6 MB of input per image) for little more.</summary>
    public const int DefaultArchiveBatchSize = 4;
    public const int MaxArchiveBatchSize = 16;
    public const string ArchiveBatchSizeVariable = "XRAY_ARCHIVE_BATCH_SIZE";

    /// <summary>How long one invocation may take on the managed runtime, whose Stream handler is not told its deadline
    /// (<c>XRAY_INVOCATION_BUDGET_SECONDS</c>; set it to the function's timeout). The custom runtime reads the deadline
    /// from the Runtime API instead.</summary>
    public TimeSpan InvocationBudget { get; init; } = DefaultInvocationBudget;
    /// <summary>30 s: the function's timeout in deploy/template.yaml and aws-lambda-tools-defaults.json.</summary>
    public static readonly TimeSpan DefaultInvocationBudget = TimeSpan.FromSeconds(30);
    public const string InvocationBudgetVariable = "XRAY_INVOCATION_BUDGET_SECONDS";

    /// <summary>How long API Gateway waits for an API request's answer (<c>XRAY_API_TIMEOUT_SECONDS</c>): its integration
    /// timeout, 29 s unless the quota was raised. An API request gets its 503 before this even when the function's own
    /// timeout is longer (as archive jobs want), because API Gateway's 504 would come first.</summary>
    public TimeSpan ApiTimeout { get; init; } = DefaultApiTimeout;
    public static readonly TimeSpan DefaultApiTimeout = TimeSpan.FromSeconds(29);
    public const string ApiTimeoutVariable = "XRAY_API_TIMEOUT_SECONDS";

    /// <summary>The DICOMweb server each Structured Report is stored on by STOW-RS (<c>XRAY_RESULTS_STOW_URL</c> …); not
    /// configured by default. Its problems are among <see cref="Problems"/>.</summary>
    public ResultsDestinationSettings ResultsDestination { get; init; } = new();

    /// <summary>The upload limits the three settings above make.</summary>
    public Imaging.ImageLimits ImageLimits => new(MaxImageBytes, MaxPixels, MinImageSide);

    /// <summary>Settings that could not be parsed, each naming the variable and the accepted values.</summary>
    public IReadOnlyList<string> Problems { get; init; } = [];

    /// <summary>CPU credit Lambda gives this much memory: one vCPU per 1,769 MB.</summary>
    public const int MegabytesPerVcpu = 1769;

    /// <summary>
    /// Intra-op threads for ONNX Runtime (and the worker count for libvips): XRAY_ORT_THREADS if set,
    /// else Lambda's CPU credit (memory/1769 rounded up), clamped to [1, processor count]. The core
    /// count alone would overcommit: Lambda reports 2 cores below 1,769 MB while granting less than one.
    /// </summary>
    public int ComputeThreads(int processorCount)
    {
        int wanted = OrtThreads
            ?? (LambdaMemoryMb is int mb ? (mb + MegabytesPerVcpu - 1) / MegabytesPerVcpu : processorCount);
        return Math.Clamp(wanted, 1, Math.Max(1, processorCount));
    }

    /// <summary>CPUs' worth of time Lambda grants (memory/1769 MB, at most the core count); the core count
    /// outside Lambda. Unlike <see cref="ComputeThreads"/> it is not rounded and ignores XRAY_ORT_THREADS.</summary>
    public double CpuCredit(int processorCount) =>
        LambdaMemoryMb is int mb ? Math.Min((double)mb / MegabytesPerVcpu, Math.Max(1, processorCount)) : Math.Max(1, processorCount);

    public static XrayOptions FromEnvironment(IEnvironmentVariables env)
    {
        var problems = new List<string>();

        string? Text(string name) => string.IsNullOrWhiteSpace(env.Get(name)) ? null : env.Get(name)!.Trim();

        int? PositiveInt(string name)
        {
            var s = Text(name);
            if (s is null) return null;
            if (int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out int v) && v > 0) return v;
            problems.Add($"{name}='{s}' is not a positive whole number.");
            return null;
        }

        long? PositiveLong(string name)
        {
            var s = Text(name);
            if (s is null) return null;
            if (long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out long v) && v > 0) return v;
            problems.Add($"{name}='{s}' is not a positive whole number.");
            return null;
        }

        var store = UploadStorageMode.Required;
        if (Text("XRAY_STORE_UPLOADS") is string storeText)
        {
            switch (storeText.ToLowerInvariant())
            {
                case "required": store = UploadStorageMode.Required; break;
                case "optional": store = UploadStorageMode.Optional; break;
                case "off": store = UploadStorageMode.Off; break;
                default: problems.Add($"XRAY_STORE_UPLOADS='{storeText}' is not one of required, optional, off."); break;
            }
        }

        var dicomStore = DicomStorageMode.Derivative;
        if (Text("XRAY_DICOM_STORE") is string dicomText)
        {
            switch (dicomText.ToLowerInvariant())
            {
                case "derivative": dicomStore = DicomStorageMode.Derivative; break;
                case "original": dicomStore = DicomStorageMode.Original; break;
                default: problems.Add($"XRAY_DICOM_STORE='{dicomText}' is not one of derivative (the default: the classified frame as PNG, no patient data), original (the uploaded file as it came)."); break;
            }
        }

        var authorizer = ApiAuthorizer.API_KEY;
        // By name only: Enum.TryParse would also take "1" or "API_KEY, AWS_IAM".
        if (Text("XRAY_API_AUTHORIZER") is string authorizerText
            && !(Enum.GetNames<ApiAuthorizer>().Contains(authorizerText, StringComparer.Ordinal) && Enum.TryParse(authorizerText, out authorizer)))
        {
            problems.Add($"XRAY_API_AUTHORIZER='{authorizerText}' is not one of {string.Join(", ", Enum.GetNames<ApiAuthorizer>())} (the template's Authorizer parameter).");
            authorizer = ApiAuthorizer.API_KEY;
        }

        var model = Text("XRAY_MODEL") ?? DefaultModelName;
        // The model name becomes a folder name: keep it to one path segment.
        if (model.IndexOfAny(['/', '\\']) >= 0 || model is "." or "..")
        {
            problems.Add($"XRAY_MODEL='{model}' must be a single folder name under {{XRAY_EFS_ROOT}}/models/.");
            model = DefaultModelName;
        }

        // The paths become EfsLayout's folders: refuse here what Path.GetFullPath would throw on later.
        string? Folder(string name)
        {
            var s = Text(name);
            if (s is null) return null;
            try
            {
                Path.GetFullPath(s);
                return s;
            }
            catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
            {
                problems.Add($"{name} is not a usable folder path ({e.Message}).");
                return null;
            }
        }

        var resultsPrefix = Text(ResultsPrefixVariable) ?? DefaultResultsPrefix;
        // A key prefix: S3 keys are at most 1,024 bytes, and a leading '/' makes an empty first path segment.
        if (resultsPrefix.StartsWith('/') || System.Text.Encoding.UTF8.GetByteCount(resultsPrefix) > 512)
        {
            problems.Add($"{ResultsPrefixVariable}='{resultsPrefix}' is not a usable key prefix (at most 512 bytes, not starting with '/'; e.g. results/).");
            resultsPrefix = DefaultResultsPrefix;
        }
        var representations = Text(ResultRepresentationsVariable) ?? "json";
        if (Archive.ArchiveOptions.ParseRepresentations(representations) is null)
        {
            problems.Add($"{ResultRepresentationsVariable}='{representations}' is not a comma list of json, fhir, sr.");
            representations = "json";
        }
        var (resultsDestination, destinationProblems) = ResultsDestinationSettings.FromEnvironment(env);
        problems.AddRange(destinationProblems);
        var (signIn, signInProblems) = SignInSettings.FromEnvironment(env);
        problems.AddRange(signInProblems);

        var (oidcIssuer, oidcProblems) = OidcIssuerSettings.FromEnvironment(env);

        var defaults = new XrayOptions();
        return new XrayOptions
        {
            EfsRoot = Folder("XRAY_EFS_ROOT") ?? DefaultEfsRoot,
            ModelName = model,
            NativeDirectory = Folder("XRAY_NATIVE_DIR"),
            OnnxRuntimePrestarted = Text("XRAY_ONNXRUNTIME_PRESTARTED") == "1",
            OrtThreads = PositiveInt("XRAY_ORT_THREADS"),
            LambdaMemoryMb = PositiveInt("AWS_LAMBDA_FUNCTION_MEMORY_SIZE"),
            InitializationType = Text("AWS_LAMBDA_INITIALIZATION_TYPE"),
            StoreUploads = store,
            DicomStore = dicomStore,
            CorsOrigin = Text("XRAY_CORS_ORIGIN") ?? defaults.CorsOrigin,
            ApiAuthorizer = authorizer,
            SignIn = signIn,
            IsTokenAuthorizer = !string.IsNullOrWhiteSpace(env.Get(OidcIssuerSettings.IssuerVariable)),
            OidcIssuer = oidcIssuer,
            OidcIssuerProblems = oidcProblems,
            MaxImageBytes = PositiveLong("XRAY_MAX_IMAGE_BYTES") ?? defaults.MaxImageBytes,
            MaxPixels = PositiveLong("XRAY_MAX_PIXELS") ?? defaults.MaxPixels,
            MinImageSide = PositiveInt("XRAY_MIN_IMAGE_SIDE") ?? defaults.MinImageSide,
            // As Lambda sets it, untrimmed: it is only ever a log dimension.
            FunctionName = env.Get(FunctionNameVariable) ?? LocalFunctionName,
            RuntimeApi = Text(RuntimeApiVariable),
            Uploads = UploadBucketSettings.FromEnvironment(env),
            ResultsPrefix = resultsPrefix,
            ResultRepresentations = representations,
            ArchiveBatchSize = Math.Min(PositiveInt(ArchiveBatchSizeVariable) ?? DefaultArchiveBatchSize, MaxArchiveBatchSize),
            InvocationBudget = PositiveInt(InvocationBudgetVariable) is int budget ? TimeSpan.FromSeconds(Math.Min(budget, 900)) : DefaultInvocationBudget,
            ApiTimeout = PositiveInt(ApiTimeoutVariable) is int apiTimeout ? TimeSpan.FromSeconds(Math.Min(apiTimeout, 900)) : DefaultApiTimeout,
            ResultsDestination = resultsDestination,
            Problems = problems,
        };
    }
}
