using System.Text.Json.Serialization;

namespace XrayClassifier.Function.Http;

/// <summary>The source-generated serializer for the HTTP answers (the proxy response's body).</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(ClassifyAnswer))]
[JsonSerializable(typeof(ProblemDetails))]
[JsonSerializable(typeof(HealthAnswer))]
public sealed partial class AnswerJsonContext : JsonSerializerContext;
