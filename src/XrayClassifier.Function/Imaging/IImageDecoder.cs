namespace XrayClassifier.Function.Imaging;

/// <summary>
/// One format's decoder, held by its <see cref="ImageFormat"/> entry: reads an upload's header, checks it
/// against the limits before a pixel is decoded, and hands the pipeline an <see cref="OpenedImage"/> whose
/// pixels decode as its strips are read. A new format is a table entry plus one of these.
/// </summary>
internal interface IImageDecoder
{
    /// <summary>The libvips loaders this decoder calls: they are the only loaders left unblocked, and a libvips
    /// built without one of them is refused at load.</summary>
    IReadOnlyList<string> VipsLoaders { get; }

    /// <summary>Opens an upload. Runs under the pipeline's lock. Throws <see cref="ImageRejectedException"/> (or
    /// <see cref="Dicom.DicomRejectedException"/>) for bad input.</summary>
    /// <param name="encoded">The upload's bytes.</param>
    /// <param name="format">Its format, as <see cref="ImageFormat.Identify"/> found it (the entry holding this decoder).</param>
    /// <param name="pipeline">The pipeline running it: its limits, and its libvips lock for work done after the
    /// run (a DICOM upload's derivative PNG).</param>
    /// <param name="spec">The model's preprocessing (DICOM reads its <see cref="PreprocessSpec.DicomVoi"/>).</param>
    OpenedImage Open(ReadOnlyMemory<byte> encoded, ImageFormat format, ImagePipeline pipeline, PreprocessSpec spec);
}
