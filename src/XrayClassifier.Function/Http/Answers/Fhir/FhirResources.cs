using System.Text.Json.Serialization;

namespace XrayClassifier.Function.Http.Answers.Fhir;

// The few FHIR R4 data types and resources the application/fhir+json answer uses, as plain classes for System.Text.Json's
// source generator (FhirJsonContext): the Firely SDK is reflection-based and warns under Native AOT (README, design
// notes). Property names are FHIR's JSON names; null properties are left out, as FHIR JSON has no nulls. Only what the
// answer fills is declared — these are not a general FHIR model.

/// <summary>R4 <c>Coding</c>.</summary>
internal sealed record FhirCoding(string System, string Code, string? Display = null);

/// <summary>R4 <c>CodeableConcept</c>.</summary>
internal sealed record FhirCodeableConcept(IReadOnlyList<FhirCoding>? Coding = null, string? Text = null);

/// <summary>R4 <c>Identifier</c>.</summary>
internal sealed record FhirIdentifier(string System, string Value);

/// <summary>R4 <c>Reference</c> (a local one: the <c>urn:uuid:</c> fullUrl of another entry).</summary>
internal sealed record FhirReference(string Reference);

/// <summary>R4 <c>Quantity</c>.</summary>
internal sealed record FhirQuantity(float Value, string Unit, string System, string Code);

/// <summary>R4 <c>Annotation</c> (text only).</summary>
internal sealed record FhirAnnotation(string Text);

/// <summary>R4 <c>Observation.referenceRange</c> (text only).</summary>
internal sealed record FhirReferenceRange(string Text);

/// <summary>R4 <c>Device.deviceName</c>.</summary>
internal sealed record FhirDeviceName(string Name, string Type);

/// <summary>R4 <c>Device.version</c>.</summary>
internal sealed record FhirDeviceVersion(FhirCodeableConcept Type, string Value);

/// <summary>A resource; <c>resourceType</c> is written first, from the derived type.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "resourceType")]
[JsonDerivedType(typeof(FhirDiagnosticReport), "DiagnosticReport")]
[JsonDerivedType(typeof(FhirObservation), "Observation")]
[JsonDerivedType(typeof(FhirDevice), "Device")]
internal abstract class FhirResource;

/// <summary>R4 <c>DiagnosticReport</c>. R4 has no <c>note</c> (R5 added it) and no <c>device</c>: the notice is in
/// <see cref="Conclusion"/>, the model is each Observation's device.</summary>
internal sealed class FhirDiagnosticReport : FhirResource
{
    public required IReadOnlyList<FhirIdentifier> Identifier { get; init; }
    public required string Status { get; init; }
    public required IReadOnlyList<FhirCodeableConcept> Category { get; init; }
    public required FhirCodeableConcept Code { get; init; }
    public required string Issued { get; init; }
    public required IReadOnlyList<FhirReference> Result { get; init; }
    public required string Conclusion { get; init; }
}

/// <summary>R4 <c>Observation</c>: one finding's probability.</summary>
internal sealed class FhirObservation : FhirResource
{
    public required string Status { get; init; }
    public required IReadOnlyList<FhirCodeableConcept> Category { get; init; }
    public required FhirCodeableConcept Code { get; init; }
    /// <summary>The probability; null when the model gave none (NaN), and then <see cref="DataAbsentReason"/> says so.</summary>
    public FhirQuantity? ValueQuantity { get; init; }
    public FhirCodeableConcept? DataAbsentReason { get; init; }
    public IReadOnlyList<FhirCodeableConcept>? Interpretation { get; init; }
    public required FhirReference Device { get; init; }
    public required IReadOnlyList<FhirReferenceRange> ReferenceRange { get; init; }
}

/// <summary>R4 <c>Device</c>: the model that classified.</summary>
internal sealed class FhirDevice : FhirResource
{
    public required IReadOnlyList<FhirDeviceName> DeviceName { get; init; }
    public required FhirCodeableConcept Type { get; init; }
    public required IReadOnlyList<FhirDeviceVersion> Version { get; init; }
    public IReadOnlyList<FhirAnnotation>? Note { get; init; }
}

/// <summary>R4 <c>Bundle.entry</c>.</summary>
internal sealed record FhirBundleEntry(string FullUrl, FhirResource Resource);

/// <summary>R4 <c>Bundle</c>.</summary>
internal sealed class FhirBundle
{
    public string ResourceType => "Bundle";
    public required string Type { get; init; }
    public required string Timestamp { get; init; }
    public required IReadOnlyList<FhirBundleEntry> Entry { get; init; }
}
