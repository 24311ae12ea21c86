namespace XrayClassifier.Function.Http;

/// <summary>The one file part of a multipart/form-data body. <see cref="Content"/> borrows from the body.</summary>
public sealed record MultipartFile(ReadOnlyMemory<byte> Content, string? ContentType, string? FieldName, string? FileName);
