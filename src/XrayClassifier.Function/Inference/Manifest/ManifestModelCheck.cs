using Microsoft.ML.OnnxRuntime.Tensors;
using XrayClassifier.Function.Configuration;
using XrayClassifier.Function.Inference.Runtime;

namespace XrayClassifier.Function.Inference.Manifest;

/// <summary>
/// Checks a manifest against the model's real input/output metadata. Each mismatch is one line naming
/// the manifest field, the manifest's value and the model's value; all of them are reported together.
/// </summary>
internal static class ManifestModelCheck
{
    public static ModelSignature Check(ModelManifest manifest, IReadOnlyList<TensorMetadata> inputs,
        IReadOnlyList<TensorMetadata> outputs, string manifestPath, string modelPath)
    {
        var problems = new List<string>();
        var input = CheckInput(manifest, inputs, problems);
        var output = CheckOutput(manifest, outputs, problems);
        if (problems.Count > 0 || input is null || output is null)
        {
            throw new PlatformUnavailableException("manifest",
                $"The model manifest {manifestPath} does not match the model {modelPath}:" +
                string.Concat(problems.Select(p => "\n  - " + p)) +
                "\nFix the manifest (schema: src/XrayClassifier.Function/Inference/MANIFEST.md) or export the model to match, then copy it to EFS again.");
        }
        bool dynamicBatch = input.Value.DynamicBatch && output.Value.DynamicBatch && output.Value.Shape is not null;
        return new ModelSignature(input.Value.Name, input.Value.Shape, output.Value.Name, output.Value.Shape, dynamicBatch);
    }

    private static (string Name, long[] Shape, bool DynamicBatch)? CheckInput(ModelManifest manifest, IReadOnlyList<TensorMetadata> inputs, List<string> problems)
    {
        if (inputs.Count == 0)
        {
            problems.Add("the model has no inputs.");
            return null;
        }
        TensorMetadata? input;
        if (manifest.InputName is { } wanted)
        {
            input = inputs.FirstOrDefault(i => i.Name == wanted);
            if (input is null)
            {
                problems.Add($"input.name is \"{wanted}\" but the model has no such input; model inputs: {List(inputs)}.");
                return null;
            }
        }
        else
        {
            input = inputs[0];
        }
        if (inputs.Count > 1)
        {
            problems.Add($"the model has {inputs.Count} inputs ({List(inputs)}); the classifier feeds exactly one image tensor.");
        }

        // Built only for a message: the shape text is LINQ over the dimensions, JIT-compiled on a cold start.
        string Tensor() => $"the model's input \"{input.Name}\" {input.ShapeText}";
        if (!input.IsTensor || input.ElementType != TensorElementType.Float)
        {
            problems.Add($"{Tensor()} holds {input.ElementTypeText} elements; the classifier feeds float32 (export the model with a float input).");
        }
        if (input.Rank != 4)
        {
            problems.Add($"{Tensor()} has rank {input.Rank}; the classifier feeds NCHW images, rank 4: [1, channels, height, width].");
            return null;
        }
        if (!input.IsDynamic(0) && input.Dimensions[0] != 1)
        {
            problems.Add($"{Tensor()} has batch size {input.Dimensions[0]}; the classifier runs one image at a time (export with batch 1 or a dynamic batch).");
        }

        var spec = manifest.Input;
        Dim(problems, "input.channels", spec.Channels, input, 1, "channels");
        Dim(problems, "input.height", spec.Height, input, 2, "height (axis 2)");
        Dim(problems, "input.width", spec.Width, input, 3, "width (axis 3)");
        return (input.Name, [1, spec.Channels, spec.Height, spec.Width], input.IsDynamic(0));
    }

    private static void Dim(List<string> problems, string field, int manifestValue, TensorMetadata input, int axis, string what)
    {
        long modelValue = input.Dimensions[axis];
        if (modelValue >= 0 && modelValue != manifestValue)
            problems.Add($"{field} is {manifestValue} but the model's input \"{input.Name}\" {input.ShapeText} has {what} {modelValue}.");
    }

    private static (string Name, long[]? Shape, bool DynamicBatch)? CheckOutput(ModelManifest manifest, IReadOnlyList<TensorMetadata> outputs, List<string> problems)
    {
        if (outputs.Count == 0)
        {
            problems.Add("the model has no outputs.");
            return null;
        }
        TensorMetadata? output;
        if (manifest.OutputName is { } wanted)
        {
            output = outputs.FirstOrDefault(o => o.Name == wanted);
            if (output is null)
            {
                problems.Add($"output.name is \"{wanted}\" but the model has no such output; model outputs: {List(outputs)}.");
                return null;
            }
        }
        else
        {
            output = outputs[0];
        }

        string Tensor() => $"the model's output \"{output.Name}\" {output.ShapeText}";
        if (!output.IsTensor || output.ElementType != TensorElementType.Float)
        {
            problems.Add($"{Tensor()} holds {output.ElementTypeText} elements; the classifier reads float32 scores.");
            return null;
        }
        if (output.Rank > 1 && !output.IsDynamic(0) && output.Dimensions[0] != 1)
        {
            problems.Add($"{Tensor()} has batch size {output.Dimensions[0]}; expected 1 or a dynamic batch.");
            return null;
        }

        // Batch first (dynamic or 1) for rank ≥ 2; a rank-1 output is the scores themselves.
        var shape = new long[output.Rank];
        bool known = true;
        for (int axis = 0; axis < output.Rank; axis++)
        {
            long d = output.Dimensions[axis];
            if (d < 0 && axis == 0 && output.Rank > 1) d = 1;
            if (d < 0) known = false;
            shape[axis] = d;
        }
        // A rank-1 output has no batch axis: one image per run.
        bool dynamicBatch = output.Rank > 1 && output.IsDynamic(0);
        if (!known) return (output.Name, null, dynamicBatch);

        long count = 1;
        foreach (long d in shape) count *= d;
        if (count != manifest.Labels.Count)
        {
            problems.Add($"output.labels has {manifest.Labels.Count} labels but {Tensor()} gives {count} value(s) per image; expected one label per value.");
            return null;
        }
        return (output.Name, shape, dynamicBatch);
    }

    private static string List(IReadOnlyList<TensorMetadata> tensors) =>
        string.Join(", ", tensors.Select(t => $"\"{t.Name}\" {t.ShapeText} {t.ElementTypeText}"));
}
