#!/usr/bin/python3
"""Exports models with PyTorch's own exporter (torch.onnx.export), the way users export theirs, so the
tests can check that the project's ONNX Runtime binding loads a PyTorch-exported model and reproduces
PyTorch's output. Run with Debian's /usr/bin/python3 (python3-torch, -torchvision, -onnx; see
tools/prerequisites.sh).

    export_model.py OUT_DIR [--model densenet121|tiny|all]

For each model NAME it writes into OUT_DIR:
    NAME.onnx            opset 13; densenet121: inputs/outputs named, dynamic batch axis "batch_size";
                         tiny: a quick export (the exporter's own names such as "input.1", fixed batch 1)
    NAME.input.f32       a deterministic input, raw little-endian float32, shape input_shape (batch 1)
    NAME.expected.f32    PyTorch's output for that input, raw little-endian float32, shape output_shape
    NAME.json            names, shapes, file names and versions (read by the C# helper PyTorchExport)
"""
import argparse
import json
import os

import onnx
import torch
import torchvision


def randomise_batch_norms(model, generator):
    # torchvision initialises BN as the identity (weight 1, bias 0, mean 0, var 1), which would hide a
    # binding that mixes up BN's inputs; give every BN distinct, sane values instead.
    for m in model.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            c = m.num_features
            with torch.no_grad():
                m.weight.copy_(torch.rand(c, generator=generator) + 0.5)
                m.bias.copy_((torch.rand(c, generator=generator) - 0.5) * 0.4)
                m.running_mean.copy_(torch.randn(c, generator=generator) * 0.1)
                m.running_var.copy_(torch.rand(c, generator=generator) + 0.5)


def densenet121():
    """torchvision densenet121 with CheXNet's head: Linear(1024, 14) + Sigmoid."""
    torch.manual_seed(121)
    model = torchvision.models.densenet121(weights=None)
    model.classifier = torch.nn.Sequential(torch.nn.Linear(1024, 14), torch.nn.Sigmoid())
    randomise_batch_norms(model, torch.Generator().manual_seed(122))
    return model, (1, 3, 224, 224), ["input"], ["probabilities"]


class XrvDenseNet(torch.nn.Module):
    """torchxrayvision's DenseNet as its README exports it: one grey channel in (conv0 1→64), features, then
    features2 (ReLU, adaptive average pool, view(N, -1)) and classifier Linear(1024, 18): raw logits (the
    manifest applies the sigmoid and op_norm). Built here from torchvision's densenet121 with
    torchxrayvision's layer names, because torchxrayvision itself is not packaged in Debian."""

    def __init__(self):
        super().__init__()
        net = torchvision.models.densenet121(weights=None, num_classes=18)
        net.features.conv0 = torch.nn.Conv2d(1, 64, kernel_size=7, stride=2, padding=3, bias=False)
        self.features = net.features
        self.classifier = net.classifier

    def features2(self, x):
        out = torch.nn.functional.relu(self.features(x), inplace=True)
        return torch.nn.functional.adaptive_avg_pool2d(out, (1, 1)).view(x.size(0), -1)

    def forward(self, x):
        return self.classifier(self.features2(x))


def xrv_densenet121():
    torch.manual_seed(224)
    model = XrvDenseNet()
    randomise_batch_norms(model, torch.Generator().manual_seed(225))
    return model, (1, 1, 224, 224), ["img"], ["logits"]


class TinyConv(torch.nn.Module):
    """One greyscale channel in, 3 raw logits out: Conv3x3 + BN + ReLU + global pool + Linear."""

    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(1, 8, kernel_size=3, padding=1)
        self.bn = torch.nn.BatchNorm2d(8)
        self.fc = torch.nn.Linear(8, 3)

    def forward(self, x):
        x = torch.relu(self.bn(self.conv(x)))
        x = torch.nn.functional.adaptive_avg_pool2d(x, 1).flatten(1)
        return self.fc(x)


def tiny():
    torch.manual_seed(7)
    model = TinyConv()
    randomise_batch_norms(model, torch.Generator().manual_seed(8))
    # No names and no dynamic axes: the exporter's own names ("input.1") and a fixed batch of 1, as a
    # quick export has.
    return model, (1, 1, 32, 48), None, None


MODELS = {"densenet121": densenet121, "tiny": tiny, "xrv-densenet121": xrv_densenet121}


def export(name, out_dir):
    model, input_shape, input_names, output_names = MODELS[name]()
    model.eval()
    x = torch.randn(*input_shape, generator=torch.Generator().manual_seed(2024))
    with torch.no_grad():
        expected = model(x)
    path = os.path.join(out_dir, name + ".onnx")
    tmp = path + ".tmp"
    if input_names is None:
        torch.onnx.export(model, x, tmp, opset_version=13, do_constant_folding=True)
    else:
        axes = {input_names[0]: {0: "batch_size"}, output_names[0]: {0: "batch_size"}}
        torch.onnx.export(model, x, tmp, opset_version=13, do_constant_folding=True,
                          input_names=input_names, output_names=output_names, dynamic_axes=axes)
    m = onnx.load(tmp)
    onnx.checker.check_model(m, full_check=True)
    os.replace(tmp, path)
    x.numpy().astype("<f4").tofile(os.path.join(out_dir, name + ".input.f32"))
    expected.numpy().astype("<f4").tofile(os.path.join(out_dir, name + ".expected.f32"))
    meta = dict(
        name=name, model=name + ".onnx",
        input_name=m.graph.input[0].name, output_name=m.graph.output[0].name,
        input_shape=list(x.shape), output_shape=list(expected.shape),
        input=name + ".input.f32", expected=name + ".expected.f32",
        opset=[o.version for o in m.opset_import if o.domain in ("", "ai.onnx")][0],
        ir_version=m.ir_version, producer=m.producer_name + " " + m.producer_version,
        torch=torch.__version__, torchvision=torchvision.__version__,
    )
    with open(os.path.join(out_dir, name + ".json"), "w") as f:
        json.dump(meta, f, indent=2)
    print(json.dumps(meta))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out_dir")
    parser.add_argument("--model", choices=sorted(MODELS) + ["all"], default="all")
    args = parser.parse_args()
    os.makedirs(args.out_dir, exist_ok=True)
    for name in (sorted(MODELS) if args.model == "all" else [args.model]):
        export(name, args.out_dir)


if __name__ == "__main__":
    main()
