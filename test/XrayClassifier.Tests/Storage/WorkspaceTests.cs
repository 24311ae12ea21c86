using XrayClassifier.Function.Classification;
using System.Text.Json;
using XrayClassifier.Function.Configuration;
using XrayClassifier.Function.Inference;
using XrayClassifier.Function.Storage;
using XrayClassifier.Tests.TestHelpers;

namespace XrayClassifier.Tests.Storage;

/// <summary>The workspace against real files (and a real read-only mount).</summary>
public sealed class WorkspaceTests : IDisposable
{
    private readonly TempDirectory _root = TestEnvironment.CreateTempDirectory("xray-ws");
    private readonly ManualClock _clock = new(new DateTimeOffset(2026, 11, 21, 23, 59, 58, TimeSpan.Zero));

    private string Day => _root.Combine("workspace", "2026", "11", "21");

    private Workspace CreateWorkspace(string? root = null) => new(new EfsLayout(root ?? _root.Path, "chest-xray"), _clock);

    private static byte[] Image(int seed, int length = 20_000)
    {
        var b = new byte[length];
        new Random(seed).NextBytes(b);
        return b;
    }

    private static UploadRecord Record(string id, DateTimeOffset at) => new()
    {
        RequestId = id,
        ReceivedAt = at,
        Format = "png",
        Width = 1024,
        Height = 768,
        ModelName = "chexnet-densenet121",
        ModelVersion = "1",
        Classification = new LabelScores("Effusion", 0.75f, ["Effusion"],
            [new Prediction("Effusion", 0.75f), new Prediction("Mass", 0.25f)]),
    };

    private static async Task<StoredUpload> Store(Workspace ws, string id, byte[] image)
    {
        var pending = ws.Begin(id, image);
        return await pending.CommitAsync("png", Record(id, pending.ReceivedAt));
    }

    private string[] FilesInWorkspace() =>
        Directory.Exists(_root.Combine("workspace"))
            ? Directory.GetFiles(_root.Combine("workspace"), "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(_root.Path, f)).Order(StringComparer.Ordinal).ToArray()
            : [];

    [Fact]
    public async Task StoresTheUploadAndItsRecordInTheDaysFolder()
    {
        var image = Image(1);
        var stored = await Store(CreateWorkspace(), "c6af9ac6-7b61-11e6-9a41-93e8deadbeef", image);

        Assert.Equal("workspace/2026/11/21/c6af9ac6-7b61-11e6-9a41-93e8deadbeef.png", stored.ImagePath);
        Assert.Equal("workspace/2026/11/21/c6af9ac6-7b61-11e6-9a41-93e8deadbeef.json", stored.RecordPath);
        Assert.Equal(image, File.ReadAllBytes(Path.Combine(_root.Path, stored.ImagePath)));
        Assert.Equal([stored.RecordPath, stored.ImagePath], FilesInWorkspace());

        var record = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(_root.Path, stored.RecordPath))).RootElement;
        Assert.Equal("c6af9ac6-7b61-11e6-9a41-93e8deadbeef", record.GetProperty("requestId").GetString());
        Assert.Equal(new DateTime(2026, 11, 21, 23, 59, 58, DateTimeKind.Utc), record.GetProperty("receivedAt").GetDateTime());
        var img = record.GetProperty("image");
        Assert.Equal("c6af9ac6-7b61-11e6-9a41-93e8deadbeef.png", img.GetProperty("file").GetString());
        Assert.Equal("png", img.GetProperty("format").GetString());
        Assert.Equal(image.Length, img.GetProperty("bytes").GetInt32());
        Assert.Equal(1024, img.GetProperty("width").GetInt32());
        Assert.Equal(768, img.GetProperty("height").GetInt32());
        Assert.Equal("chexnet-densenet121", record.GetProperty("model").GetProperty("name").GetString());
        Assert.Equal("1", record.GetProperty("model").GetProperty("version").GetString());
        Assert.Equal("Effusion", record.GetProperty("label").GetString());
        Assert.Equal(0.75f, record.GetProperty("probability").GetSingle());
        Assert.Equal(["Effusion"], record.GetProperty("findings").EnumerateArray().Select(f => f.GetString()));
        Assert.Equal(["Effusion", "Mass"], record.GetProperty("predictions").EnumerateArray().Select(p => p.GetProperty("label").GetString()));
        Assert.Equal(["requestId", "receivedAt", "image", "model", "label", "probability", "findings", "predictions"],
            record.EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task GivesARepeatedRequestIdASuffixInsteadOfOverwriting()
    {
        var ws = CreateWorkspace();
        var first = await Store(ws, "same-id", Image(1));
        var second = await Store(ws, "same-id", Image(2));
        var third = await Store(ws, "same-id", Image(3));

        Assert.Equal("workspace/2026/11/21/same-id.png", first.ImagePath);
        Assert.Equal("workspace/2026/11/21/same-id_2.png", second.ImagePath);
        Assert.Equal("workspace/2026/11/21/same-id_3.json", third.RecordPath);
        Assert.Equal(Image(1), File.ReadAllBytes(Path.Combine(_root.Path, first.ImagePath)));
        Assert.Equal(Image(2), File.ReadAllBytes(Path.Combine(_root.Path, second.ImagePath)));
        var record = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(_root.Path, second.RecordPath))).RootElement;
        Assert.Equal("same-id_2.png", record.GetProperty("image").GetProperty("file").GetString());
    }

    [Fact]
    public async Task WritesEachUploadOnceWhenManyRaceForOneName()
    {
        var ws = CreateWorkspace();
        var images = Enumerable.Range(0, 24).Select(i => Image(100 + i, 50_000 + i)).ToArray();
        var stored = await Task.WhenAll(images.Select(img => Task.Run(() => Store(ws, "dup", img))));

        Assert.Equal(24, stored.Select(s => s.ImagePath).Distinct().Count());
        for (int i = 0; i < images.Length; i++)
        {
            Assert.Equal(images[i], File.ReadAllBytes(Path.Combine(_root.Path, stored[i].ImagePath)));
            var record = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(_root.Path, stored[i].RecordPath))).RootElement;
            Assert.Equal(Path.GetFileName(stored[i].ImagePath), record.GetProperty("image").GetProperty("file").GetString());
            Assert.Equal(images[i].Length, record.GetProperty("image").GetProperty("bytes").GetInt32());
        }
        Assert.Equal(48, FilesInWorkspace().Length);
        Assert.DoesNotContain(FilesInWorkspace(), f => Path.GetFileName(f).StartsWith('.'));
    }

    [Fact]
    public async Task AbandoningLeavesNothingBehind()
    {
        var ws = CreateWorkspace();
        await ws.Begin("gone", Image(5)).AbandonAsync();
        Assert.Empty(FilesInWorkspace());
    }

    [Fact]
    public async Task CreatesAMissingWorkspaceFolderAndARemovedDayFolder()
    {
        var ws = CreateWorkspace();
        Assert.False(Directory.Exists(_root.Combine("workspace")));
        await Store(ws, "one", Image(1));
        Directory.Delete(_root.Combine("workspace"), recursive: true);
        var again = await Store(ws, "two", Image(2));
        Assert.Equal(Image(2), File.ReadAllBytes(Path.Combine(_root.Path, again.ImagePath)));
    }

    [Fact]
    public async Task ReportsAnUnmountedEfsRootAndCreatesNothing()
    {
        var missing = _root.Combine("not-mounted");
        var ws = CreateWorkspace(missing);
        var e = await Assert.ThrowsAsync<PlatformUnavailableException>(() => Store(ws, "x", Image(1)));
        Assert.Equal("efs", e.Component);
        Assert.Contains(missing, e.Message);
        Assert.False(Directory.Exists(missing));
        Assert.False(ws.Probe().Writable);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ReportsAReadOnlyWorkspaceAndLeavesNothingBehind(bool dayFolderExists)
    {
        Directory.CreateDirectory(dayFolderExists ? Day : _root.Combine("workspace"));
        var ws = CreateWorkspace();
        using (new ReadOnlyBindMount(_root.Combine("workspace")))
        {
            var e = await Assert.ThrowsAsync<PlatformUnavailableException>(() => Store(ws, "ro", Image(1)));
            Assert.Equal("workspace", e.Component);
            Assert.Contains(_root.Combine("workspace"), e.Message);
            Assert.Contains("Read-only file system", e.Message);
            Assert.Contains("XRAY_STORE_UPLOADS", e.Message);
            var probe = ws.Probe();
            Assert.False(probe.Writable);
            Assert.Contains("Read-only", probe.Detail);
        }
        Assert.Empty(FilesInWorkspace());
        // Writable again: the same workspace object stores without a restart.
        await Store(ws, "ro", Image(1));
        Assert.True(ws.Probe().Writable);
        Assert.Equal(2, FilesInWorkspace().Length);
    }

    [Fact]
    public async Task TakesTheNextSuffixWhenOnlyTheRecordsNameIsTaken()
    {
        // A JPEG upload under an id whose PNG upload is already stored: same record name, other image name.
        var ws = CreateWorkspace();
        var png = await Store(ws, "same-id", Image(1));
        var pending = ws.Begin("same-id", Image(2));
        var jpeg = await pending.CommitAsync("jpg", Record("same-id", pending.ReceivedAt));

        Assert.Equal("workspace/2026/11/21/same-id_2.jpg", jpeg.ImagePath);
        Assert.Equal("workspace/2026/11/21/same-id_2.json", jpeg.RecordPath);
        Assert.Equal(Image(2), File.ReadAllBytes(Path.Combine(_root.Path, jpeg.ImagePath)));
        var record = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(_root.Path, jpeg.RecordPath))).RootElement;
        Assert.Equal("same-id_2.jpg", record.GetProperty("image").GetProperty("file").GetString());
        var first = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(_root.Path, png.RecordPath))).RootElement;
        Assert.Equal("same-id.png", first.GetProperty("image").GetProperty("file").GetString());
        Assert.Equal([png.RecordPath, png.ImagePath, jpeg.ImagePath, jpeg.RecordPath], FilesInWorkspace());
    }

    [Fact]
    public async Task LeavesAStrayRecordAloneAndStoresBesideIt()
    {
        Directory.CreateDirectory(Day);
        File.WriteAllText(Path.Combine(Day, "stray.json"), "{}");
        var stored = await Store(CreateWorkspace(), "stray", Image(1));
        Assert.Equal("workspace/2026/11/21/stray_2.png", stored.ImagePath);
        Assert.Equal("{}", File.ReadAllText(Path.Combine(Day, "stray.json")));
        Assert.Equal(["workspace/2026/11/21/stray.json", "workspace/2026/11/21/stray_2.json", "workspace/2026/11/21/stray_2.png"], FilesInWorkspace());
    }

    [Fact]
    public void ProbeLeavesNoFileBehind()
    {
        Assert.True(CreateWorkspace().Probe().Writable);
        Assert.Empty(FilesInWorkspace());
    }

    [Theory]
    [InlineData("c6af9ac6-7b61-11e6-9a41-93e8deadbeef", true)]
    [InlineData("ABCdef-123", true)]
    [InlineData("id=", false)]
    [InlineData("../../etc/passwd", false)]
    [InlineData("a/b", false)]
    [InlineData("a.b", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void AcceptsOnlyLettersDigitsAndDashesAsNames(string? id, bool safe)
    {
        Assert.Equal(safe, Workspace.IsSafeName(id));
        if (!safe && id is not null) Assert.Throws<ArgumentException>(() => CreateWorkspace().Begin(id, Image(1)));
    }

    [Fact]
    public void RefusesOverlongNames() => Assert.False(Workspace.IsSafeName(new string('a', 129)));

    public void Dispose() => _root.Dispose();
}
