namespace XrayClassifier.Tests.Dicom;

/// <summary>The DICOM tests share one corpus: making it costs seconds, reading it milliseconds.</summary>
[CollectionDefinition(Name)]
public sealed class DicomCorpusCollection : ICollectionFixture<DicomCorpusFixture>
{
    public const string Name = "DICOM corpus";
}
