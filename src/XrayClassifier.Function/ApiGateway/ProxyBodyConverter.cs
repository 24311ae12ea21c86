using System.Text.Json;
using System.Text.Json.Serialization;

namespace XrayClassifier.Function.ApiGateway;

/// <summary>
/// <see cref="ProxyBody"/> as a JSON string (or null). This is the general path (it copies the text);
/// <see cref="ProxyEventReader"/> reads the body without copying.
/// </summary>
public sealed class ProxyBodyConverter : JsonConverter<ProxyBody>
{
    public override ProxyBody? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Null) return null;
        if (reader.TokenType != JsonTokenType.String)
            throw new JsonException($"The body must be a string or null, found {reader.TokenType}.");
        int maxLength = reader.HasValueSequence ? checked((int)reader.ValueSequence.Length) : reader.ValueSpan.Length;
        var bytes = new byte[maxLength];
        int length = reader.CopyString(bytes);
        return new ProxyBody(bytes.AsMemory(0, length));
    }

    public override void Write(Utf8JsonWriter writer, ProxyBody value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.Utf8.Span);
}
