namespace XrayClassifier.Tests.Dicom;

/// <summary>The made-up patient data the corpus scripts write into every file.</summary>
public static class PatientData
{
    public static readonly string[] Values =
        ["TESTPERSON", "JANE", "PID-4711-XYZ", "19510203", "ACC-99887766", "Nowhere", "DOC^WHO"];

    public static void AssertAbsent(string text)
    {
        foreach (var v in Values)
            Assert.DoesNotContain(v, text, StringComparison.OrdinalIgnoreCase);
    }
}
