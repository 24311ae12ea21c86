using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace XrayClassifier.Function.Http.Answers.Fhir;

/// <summary>The source-generated serializer for the FHIR answer: camelCase names as FHIR's JSON spells them, no nulls
/// (FHIR JSON forbids them), and the same relaxed escaping as the JSON answers (<see cref="AnswerJsonContext"/>).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(FhirBundle))]
internal sealed partial class FhirJsonContext : JsonSerializerContext
{
    public static FhirJsonContext Readable { get; } = new(new JsonSerializerOptions
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    });
}
