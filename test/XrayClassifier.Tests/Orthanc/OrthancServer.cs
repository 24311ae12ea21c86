using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using XrayClassifier.Tests.TestHelpers;

namespace XrayClassifier.Tests.Orthanc;

/// <summary>A DICOMweb server Orthanc's configuration names (<c>DicomWeb.Servers</c>): the one a hospital would write for the
/// function (README, "Orthanc"): its URL, the API key as an HTTP header, chunked transfers off (API Gateway needs a
/// Content-Length).</summary>
internal sealed record DicomWebServer(Uri Url, string? ApiKey)
{
    /// <summary>The server entry as Orthanc's JSON configuration takes it.</summary>
    public JsonObject ToJson()
    {
        var entry = new JsonObject { ["Url"] = Url.AbsoluteUri, ["ChunkedTransfers"] = false, ["HasDelete"] = false };
        if (ApiKey is not null) entry["HttpHeaders"] = new JsonObject { ["x-api-key"] = ApiKey };
        return entry;
    }
}

/// <summary>
/// A real PACS for the tests: Debian's Orthanc (1.10) with its DICOMweb plugin (1.7), on 127.0.0.1 at a free port, with its
/// own temporary storage and JSON configuration, no DICOM listener, refusing every client but the loopback one
/// (<c>RemoteAccessAllowed: false</c>: Orthanc 1.10 has no bind-address setting), optionally asking for HTTP Basic
/// credentials. Stopped (by its process id) and its storage removed on dispose.
/// </summary>
internal sealed class OrthancServer : IAsyncDisposable
{
    public const string Plugin = "/usr/share/orthanc/plugins/libOrthancDicomWeb.so";
    private static readonly TimeSpan JobWait = TimeSpan.FromSeconds(120);

    private readonly Process _process;
    private readonly TempDirectory _directory;
    private readonly HttpClient _http;

    private OrthancServer(Process process, TempDirectory directory, int port, (string User, string Password)? user)
    {
        _process = process;
        _directory = directory;
        BaseAddress = new Uri($"http://127.0.0.1:{port}/");
        _http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(120) };
        if (user is { } u) _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", BasicCredentials(u.User, u.Password));
    }

    public Uri BaseAddress { get; }

    /// <summary>Orthanc's own DICOMweb (STOW-RS at <c>{this}/studies</c>).</summary>
    public Uri DicomWeb => new(BaseAddress, "dicom-web/");

    public static string BasicCredentials(string user, string password) => Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}"));

    /// <param name="servers">DICOMweb servers to name in <c>DicomWeb.Servers</c>.</param>
    /// <param name="user">Require these HTTP Basic credentials.</param>
    public static async Task<OrthancServer> StartAsync(IReadOnlyDictionary<string, DicomWebServer>? servers = null, (string User, string Password)? user = null)
    {
        if (!File.Exists("/usr/sbin/Orthanc") || !File.Exists(Plugin))
            throw new InvalidOperationException("Orthanc or its DICOMweb plugin is missing: run tools/prerequisites.sh (tools/test.sh does), which installs Debian's orthanc and orthanc-dicomweb.");
        var directory = TestEnvironment.CreateTempDirectory("xray-orthanc");
        // A port free a moment ago; Orthanc cannot take port 0, so a lost race is retried with another.
        for (int attempt = 1; ; attempt++)
        {
            int port = FreePort();
            string configuration = Path.Combine(directory.Path, "orthanc.json");
            File.WriteAllText(configuration, Configuration(directory.Path, port, servers, user).ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            var process = ProcessRunner.Start(new ProcessCommand("/usr/sbin/Orthanc", configuration) { WorkingDirectory = directory.Path });
            var log = new StringBuilder();
            process.ErrorDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
            process.OutputDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
            process.BeginErrorReadLine();
            process.BeginOutputReadLine();
            var server = new OrthancServer(process, directory, port, user);
            var started = Stopwatch.StartNew();
            while (started.Elapsed < TimeSpan.FromSeconds(60) && !process.HasExited)
            {
                try
                {
                    using var system = await server._http.GetAsync("system");
                    if (system.IsSuccessStatusCode) return server;
                }
                catch (HttpRequestException) { }
                await Task.Delay(100);
            }
            if (!process.HasExited) process.Kill();
            await process.WaitForExitAsync();
            server._http.Dispose();
            if (attempt == 3)
            {
                directory.Dispose();
                lock (log) throw new InvalidOperationException($"Orthanc did not start: {log}");
            }
        }
    }

    private static JsonObject Configuration(string directory, int port, IReadOnlyDictionary<string, DicomWebServer>? servers, (string User, string Password)? user)
    {
        var serverEntries = new JsonObject();
        foreach (var (name, server) in servers ?? new Dictionary<string, DicomWebServer>()) serverEntries[name] = server.ToJson();
        var configuration = new JsonObject
        {
            ["Name"] = "xray-test-pacs",
            ["StorageDirectory"] = Path.Combine(directory, "storage"),
            ["IndexDirectory"] = Path.Combine(directory, "storage"),
            ["HttpPort"] = port,
            ["DicomServerEnabled"] = false,
            ["RemoteAccessAllowed"] = false,
            ["AuthenticationEnabled"] = user is not null,
            ["SaveJobs"] = false,
            ["HttpTimeout"] = 60,
            ["Plugins"] = new JsonArray(Plugin),
            ["DicomWeb"] = new JsonObject
            {
                ["Enable"] = true,
                ["Root"] = "/dicom-web/",
                ["EnableWado"] = false,
                ["Servers"] = serverEntries,
            },
        };
        if (user is { } u) configuration["RegisteredUsers"] = new JsonObject { [u.User] = u.Password };
        return configuration;
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    /// <summary>Stores a Part 10 file through Orthanc's REST API; its Orthanc id.</summary>
    public async Task<string> UploadAsync(byte[] file)
    {
        using var response = await _http.PostAsync("instances", new ByteArrayContent(file));
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"Orthanc refused the upload: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.GetProperty("ID").GetString()!;
    }

    /// <summary>Asks Orthanc to push instances to a configured DICOMweb server (<c>POST /dicom-web/servers/{name}/stow</c>,
    /// asynchronously: the plugin answers with a job) and waits for the job to end; the job as <c>GET /jobs/{id}</c> gives it.</summary>
    public async Task<JsonElement> StowToAsync(string server, params string[] instanceIds)
    {
        var request = new JsonObject { ["Resources"] = new JsonArray([.. instanceIds.Select(i => (JsonNode)i)]), ["Synchronous"] = false };
        using var response = await _http.PostAsync($"dicom-web/servers/{server}/stow", new StringContent(request.ToJsonString(), Encoding.UTF8, "application/json"));
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"Orthanc did not start the STOW-RS job: {(int)response.StatusCode} {body}");
        string job = JsonDocument.Parse(body).RootElement.GetProperty("ID").GetString()!;
        var waited = Stopwatch.StartNew();
        while (true)
        {
            var state = await GetJsonAsync($"jobs/{job}");
            if (state.GetProperty("State").GetString() is "Success" or "Failure") return state;
            Assert.True(waited.Elapsed < JobWait, $"Orthanc's job {job} did not end within {JobWait}: {state}");
            await Task.Delay(200);
        }
    }

    /// <summary>Every instance of the study with <paramref name="studyInstanceUid"/>, as Part 10 files.</summary>
    public async Task<IReadOnlyList<byte[]>> StudyInstancesAsync(string studyInstanceUid)
    {
        var found = await PostJsonAsync("tools/find", new JsonObject
        {
            ["Level"] = "Instance",
            ["Query"] = new JsonObject { ["StudyInstanceUID"] = studyInstanceUid },
        });
        var files = new List<byte[]>();
        foreach (var id in found.EnumerateArray())
            files.Add(await _http.GetByteArrayAsync($"instances/{id.GetString()}/file"));
        return files;
    }

    public async Task DeleteAsync(string instanceId)
    {
        using var response = await _http.DeleteAsync($"instances/{instanceId}");
        Assert.True(response.IsSuccessStatusCode, $"Orthanc did not delete {instanceId}: {(int)response.StatusCode}");
    }

    /// <summary>How many instances Orthanc holds.</summary>
    public async Task<int> InstanceCountAsync() => (await GetJsonAsync("instances")).GetArrayLength();

    private async Task<JsonElement> GetJsonAsync(string path) => JsonDocument.Parse(await _http.GetStringAsync(path)).RootElement.Clone();

    private async Task<JsonElement> PostJsonAsync(string path, JsonObject body)
    {
        using var response = await _http.PostAsync(path, new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"));
        string text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill();
                await _process.WaitForExitAsync();
            }
        }
        finally
        {
            _process.Dispose();
            _http.Dispose();
            _directory.Dispose();
        }
    }
}
