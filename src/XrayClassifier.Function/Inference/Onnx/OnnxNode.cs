namespace XrayClassifier.Function.Inference.Onnx;

/// <summary>A NodeProto: operator, inputs and outputs by value name, and the attributes the head search reads.</summary>
internal sealed record OnnxNode(string OpType, string Domain, string Name, string[] Inputs, string[] Outputs, IReadOnlyList<OnnxAttribute> Attributes)
{
    public OnnxAttribute? Attribute(string name) => Attributes.FirstOrDefault(a => a.Name == name);

    public long Int(string name, long fallback) => Attribute(name)?.Int ?? fallback;

    public float Float(string name, float fallback) => Attribute(name)?.Float ?? fallback;

    /// <summary>"Gemm \"classifier.0\"", for messages.</summary>
    public string Display => Name.Length > 0 ? $"{OpType} \"{Name}\"" : OpType;
}
