using System.Text.Json;
using System.Text.Json.Serialization;

namespace XrayClassifier.Function.Inference.Manifest;

/// <summary>Source-generated (reflection-free) reader for manifest.json. Comments and trailing commas are
/// accepted because people write these files; numbers in quotes are not.</summary>
[JsonSourceGenerationOptions(
    ReadCommentHandling = JsonCommentHandling.Skip,
    AllowTrailingCommas = true,
    NumberHandling = JsonNumberHandling.Strict,
    PropertyNameCaseInsensitive = false)]
[JsonSerializable(typeof(ManifestDocument))]
internal sealed partial class ManifestJsonContext : JsonSerializerContext;
