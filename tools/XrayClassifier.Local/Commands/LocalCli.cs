using System.CommandLine;
using XrayClassifier.Function.Configuration;

namespace XrayClassifier.Local.Commands;

/// <summary>The command-line entry: System.CommandLine parses into serve, invoke, event, sample-xray, classify, bulk and quantize,
/// and the outcome maps to the exit code (0 a 2xx answer, 1 a 4xx/5xx answer or a failure, 2 a usage error).</summary>
public static class LocalCli
{
    public const int Success = 0;
    public const int ErrorAnswer = 1;
    public const int UsageError = 2;

    public const string Usage = """
        Usage: dotnet run --project tools/XrayClassifier.Local -- COMMAND [options]

        Commands:
          serve [--port 5050] [--stage v1] [--resource /xray] [--efs-root DIR] [--api-key KEY]
                [--upload-bucket NAME] [--s3-endpoint URL] [--oidc-issuer URL --oidc-audience AUD]
              An API Gateway REST API (Lambda proxy integration, binaryMediaTypes */*) on
              http://127.0.0.1:PORT/STAGE/ that calls the real handler in-process. Ctrl+C stops it.
              Without --resource: one {proxy+} resource, ANY method (deploy/template.yaml's API).
              With --resource /xray: only that resource, POST only (the API the usual tutorials build).
              curl --request POST -H "Content-Type: image/jpg" --upload-file samples/xray.jpg http://127.0.0.1:5050/v1/classify
              --upload-bucket, --s3-endpoint: studies over the 6 MB event through S3 (POST …/uploads, then
              {"s3Key": …} to …/classify), here on a local S3-protocol server such as s3rver or MinIO
              (XRAY_UPLOAD_BUCKET and XRAY_S3_ENDPOINT do the same). The function signs with
              AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (s3rver's: S3RVER/S3RVER), else the SDK's default chain.
          invoke EVENT.json [--efs-root DIR] [--bootstrap PATH]
              Feeds a saved API Gateway proxy event to the handler and prints the proxy response JSON.
              --bootstrap artifacts/bootstrap/bootstrap: through the Native AOT custom runtime instead, in a
              process of its own behind an emulated Lambda Runtime API (as Lambda runs provided.al2023);
              artifacts/bootstrap-arm64/bootstrap (Graviton) runs under QEMU: answers are arm64's, timings meaningless.
          event IMAGE [--stage v1] [--resource /xray] [--accept TYPE] [--stow]
              Prints the proxy event API Gateway would send for POSTing IMAGE (as curl --upload-file does)
              to /STAGE/RESOURCE: a file for invoke, the Lambda console's test tab or the Lambda Test Tool.
              --accept application/fhir+json (or application/dicom for a DICOM file: the SR) asks for that answer.
              --stow: a DICOM file as a DICOMweb STOW-RS request instead, POST /STAGE/studies with the file as
              the one part of a multipart/related; type="application/dicom" body.
          sample-xray OUT.jpg|OUT.png|OUT.dcm [--width 2048] [--height 2500] [--seed 1] [--quality 90] [--efs-root DIR]
              Writes a synthetic chest radiograph (collimator borders, an R marker, burned-in text, grain),
              encoded by the function's own libvips from the EFS folder; OUT.dcm: a DX instance as a
              modality sends it (12-bit, a made-up patient, new study/series/instance UIDs).
          classify IMAGE [--efs-root DIR] [--dump-input FILE.npy]
              Wraps IMAGE in an API Gateway event (POST /v1/classify) and prints the response body.
              --dump-input writes the model's input tensor as float32 [1,C,H,W].
          bulk --manifest FILE.csv --s3-endpoint URL | --folder DIR [--bucket local-archive] [--report bulk-report]
               [--schema 2.0|1.0] [--arg NAME=VALUE]… [--concurrency 1] [--max-attempts 3] [--retry-delay-ms 1000]
               [--job-id ID] [--efs-root DIR]
              An S3 Batch Operations job on the real handler: each manifest row (Bucket,Key[,VersionId], keys
              URL-encoded) becomes an S3 Batch invocation event; the handler reads the object from the S3-protocol
              server and writes its result under XRAY_RESULTS_PREFIX there; TemporaryFailure is retried; the
              completion report (S3's CSV format, job-ID/manifest.json) goes to --report. A progress line (done,
              failed, rate, ETA) on stderr; Ctrl+C finishes the invocations in flight and writes the report. The
              summary is one JSON line on stdout. --folder DIR: the folder is the bucket (served by the repository's
              s3rver for the job; every file unless --manifest; results copied back to DIR/results/).
          quantize MODEL_DIR --images DIR --out DIR [--held-out DIR] [--labels FILE.csv] [--efs-root DIR]
              An int8 copy of the fp32 model in MODEL_DIR (manifest.json + model): exact graph rewrites
              (checked bit for bit with ONNX Runtime), per-channel int8 weights, uint8 activations calibrated
              on the images, and agreement.txt/json: |Δp| and |Δlogit| per finding against fp32 on held-out
              images, threshold flips, and AUROC with --labels (image,finding,0|1). Exit 1 if refused.

        --efs-root: the folder standing in for the EFS mount (default: $XRAY_EFS_ROOT, else the
        repository's efs-layout/ above the current directory). Every other XRAY_* variable is read
        from the environment, as the function does on Lambda.

        Exit codes: 0 a 2xx answer (bulk: every task succeeded), 1 a 4xx/5xx answer (bulk: a task failed or the
        job was stopped), 2 a usage error.
        """;

    public static async Task<int> RunAsync(
        string[] args, TextWriter stdout, TextWriter stderr, IEnvironmentVariables environment, CancellationToken cancellationToken)
    {
        if (args is ["--help" or "-h" or "help"])
        {
            await stdout.WriteLineAsync(Usage).ConfigureAwait(false);
            return Success;
        }
        var root = new RootCommand("Runs the real handler locally behind an emulated API Gateway REST API.")
        {
            ServeCommand.Create(stderr, environment),
            InvokeCommand.Create(stdout, stderr, environment),
            EventCommand.Create(stdout),
            SampleXrayCommand.Create(stderr, environment),
            ClassifyCommand.Create(stdout, stderr, environment),
            BulkCommand.Create(stdout, stderr, environment),
            QuantizeCommand.Create(stdout, stderr, environment),
        };
        // An argument starting with '@' is a file name here, not a response file to expand.
        var parsed = root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
        try
        {
            if (parsed.Errors.Count > 0)
                throw new UsageException(string.Join(Environment.NewLine + "error: ", parsed.Errors.Select(e => e.Message).Distinct()));
            return await parsed.InvokeAsync(new InvocationConfiguration
            {
                Output = stdout,
                Error = stderr,
                // Usage errors a command finds (a missing file) are handled below, failures by the caller; serve
                // handles Ctrl+C itself.
                EnableDefaultExceptionHandler = false,
                ProcessTerminationTimeout = null,
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (UsageException e)
        {
            await stderr.WriteLineAsync($"error: {e.Message}{Environment.NewLine}{Environment.NewLine}{Usage}").ConfigureAwait(false);
            return UsageError;
        }
    }

    /// <summary>Exit code for an HTTP status.</summary>
    public static int ExitCodeFor(int statusCode) => statusCode is >= 200 and < 300 ? Success : ErrorAnswer;
}
