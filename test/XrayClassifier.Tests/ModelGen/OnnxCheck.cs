using System.Text.Json;

namespace XrayClassifier.Tests.ModelGen;

/// <summary>What ONNX's own checker and shape inference (python onnx, independent of our writer) say about a model file.</summary>
public sealed record OnnxCheck(
    long IrVersion, string ProducerName, IReadOnlyDictionary<string, long> Opsets,
    IReadOnlyList<OnnxCheck.Value> Inputs, IReadOnlyList<OnnxCheck.Value> Outputs,
    long InitializerCount, long TrainableParameterCount, IReadOnlyList<string> OpTypes,
    IReadOnlyList<OnnxCheck.Value> InferredOutputs, IReadOnlyList<string> GraphInputNames, IReadOnlyList<string> InitializerNames)
{
    /// <summary>A graph input or output: name, element type (TensorProto.DataType) and dims (number or symbolic name).</summary>
    public sealed record Value(string Name, int ElemType, IReadOnlyList<string> Dims);

    private const string Script = """
        import json, sys, onnx
        from onnx import shape_inference
        m = onnx.load(sys.argv[1])
        onnx.checker.check_model(m, full_check=True)
        inferred = shape_inference.infer_shapes(m, check_type=True, strict_mode=True)
        def dims(v):
            return [d.dim_param if d.HasField('dim_param') else str(d.dim_value) for d in v.type.tensor_type.shape.dim]
        def vals(vs):
            return [dict(Name=v.name, ElemType=v.type.tensor_type.elem_type, Dims=dims(v)) for v in vs]
        inits = {t.name for t in m.graph.initializer}
        def size(t):
            n = 1
            for d in t.dims: n *= d
            return n
        trainable = sum(size(t) for t in m.graph.initializer if not t.name.endswith(('running_mean', 'running_var')))
        print(json.dumps(dict(
            IrVersion=m.ir_version, ProducerName=m.producer_name,
            Opsets={o.domain: o.version for o in m.opset_import},
            Inputs=vals([i for i in m.graph.input if i.name not in inits]),
            Outputs=vals(m.graph.output), InitializerCount=len(m.graph.initializer),
            TrainableParameterCount=trainable, OpTypes=sorted({n.op_type for n in m.graph.node}),
            InferredOutputs=vals(inferred.graph.output),
            GraphInputNames=[i.name for i in m.graph.input], InitializerNames=[t.name for t in m.graph.initializer])))
        """;

    /// <summary>Runs onnx.checker.check_model(full_check=True) and strict shape inference on <paramref name="path"/>; throws if either rejects it.</summary>
    public static OnnxCheck Of(string path) =>
        JsonSerializer.Deserialize<OnnxCheck>(Python.RunCode(Script, path))!;
}
