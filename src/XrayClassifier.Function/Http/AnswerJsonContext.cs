using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace XrayClassifier.Function.Http;

/// <summary>The source-generated serializer for the HTTP answers (the proxy response's body).</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(ClassifyAnswer))]
[JsonSerializable(typeof(ProblemDetails))]
[JsonSerializable(typeof(HealthAnswer))]
[JsonSerializable(typeof(UploadAnswer))]
public sealed partial class AnswerJsonContext : JsonSerializerContext
{
    /// <summary>
    /// What answers are written with: quotes, &lt;, ' and non-ASCII characters stay as they are ("Type 'PNG'",
    /// "2048×2500", "…") instead of \u0022-style escapes. Still valid JSON; safe here because answers are
    /// only ever served as application/json (or problem+json) with X-Content-Type-Options: nosniff, never
    /// embedded in HTML.
    /// </summary>
    public static AnswerJsonContext Readable { get; } = new(new JsonSerializerOptions
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    });
}
