using Firely.Fhir.Validation;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Hl7.Fhir.Specification.Source;
using Hl7.Fhir.Specification.Terminology;
using Xunit.Abstractions;

namespace XrayClassifier.Tests.TestHelpers;

/// <summary>
/// The FHIR answer's independent reader: Firely's parser (Hl7.Fhir.R4) and validator (Firely.Fhir.Validation.R4) against
/// base R4's StructureDefinitions (the specification.zip of Hl7.Fhir.Specification.Data.R4, offline). One place, so every
/// test that obtains a FHIR document — an HTTP answer, a batch's <c>.fhir.json</c> result, the page's download — validates
/// it the same way.
/// </summary>
public static class FhirR4
{
    private static readonly Lazy<Validator> s_validator = new(() =>
    {
        // Base R4's profiles, value sets and code systems, so structure, cardinality, invariants and the required
        // bindings are checked offline.
        var resolver = new CachedResolver(ZipSource.CreateValidationSource());
        return new Validator(resolver, new LocalTerminologyService(resolver));
    });

    public static Bundle Parse(string json) => new FhirJsonDeserializer().Deserialize<Bundle>(json);

    /// <summary>The validator's outcome for <paramref name="bundle"/> (the validator is not thread-safe: one at a time).</summary>
    public static OperationOutcome Validate(Bundle bundle)
    {
        lock (s_validator) return s_validator.Value.Validate(bundle);
    }

    /// <summary>The document parsed, after Firely's validator found no error or fatal issue in it (its issues printed to
    /// <paramref name="output"/>).</summary>
    public static Bundle ParseValid(string json, ITestOutputHelper? output = null)
    {
        var bundle = Parse(json);
        var outcome = Validate(bundle);
        foreach (var issue in outcome.Issue)
            output?.WriteLine($"{issue.Severity} {issue.Code}: {issue.Details?.Text} @ {string.Join(",", issue.Expression ?? [])}");
        output?.WriteLine($"validator: {outcome.Issue.Count} issues, {outcome.Issue.Count(i => i.Severity == OperationOutcome.IssueSeverity.Warning)} warnings");
        Assert.DoesNotContain(outcome.Issue, i => i.Severity is OperationOutcome.IssueSeverity.Error or OperationOutcome.IssueSeverity.Fatal);
        return bundle;
    }
}
