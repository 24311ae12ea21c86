#!/usr/bin/python3
"""torchxrayvision's preprocessing and output, written from its documented steps (torchxrayvision itself
is not installable here), for the tests to compare the function against:

    img = xrv.datasets.normalize(img, maxval)      # (2 * (img / maxval) - 1) * 1024, float32
    img = img.mean(2) | img[:, :, 0]               # README | load_image: one channel
    img = img[None, ...]
    XRayCenterCrop()                               # crop = min(y, x); start = side // 2 - crop // 2
    XRayResizer(224)                               # skimage.transform.resize(img, (1, 224, 224),
                                                   #   mode='constant', preserve_range=True)
    model: DenseNet-121 features (1 input channel) -> relu -> global average pool -> Linear(1024, 18)
    out = op_norm(sigmoid(logits), op_threshs)     # models.py: NaN threshold -> 0.5

Run with Debian's /usr/bin/python3 (python3-skimage, -numpy, -torch, -torchvision, -onnx). Usage:
    torchxrayvision_reference.py JOBS.json
JOBS.json: {"preprocess": [{"raw", "orientation", "grey", "crop", "width", "height", "out"}],
            "model": {"onnx", "op_threshs", "seed", "inputs": [npy...], "outs": [npy...]}}  (model optional)
"raw" is an H x W x bands uint8/uint16 .npy of the stored samples (the same pixels as the encoded file);
"orientation" is the EXIF tag the encoded file carries, applied here as exif_transpose would.
"""
import json
import sys

import numpy as np
import torch
import torch.nn.functional as F
import torchvision
from skimage.transform import resize


def upright(a, orientation):
    # PIL's exif_transpose for the tags the tests use.
    if orientation == 1:
        return a
    if orientation == 3:
        return a[::-1, ::-1]
    if orientation == 6:
        return np.rot90(a, k=-1)
    if orientation == 8:
        return np.rot90(a, k=1)
    raise ValueError(f"orientation {orientation} not handled by the reference")


def preprocess(job):
    a = upright(np.load(job["raw"]), job.get("orientation", 1))
    maxval = 255 if a.dtype == np.uint8 else 65535
    img = (2 * (a.astype(np.float32) / maxval) - 1.) * 1024
    if img.shape[2] >= 3:
        img = img[:, :, :3].mean(2) if job["grey"] == "mean" else img[:, :, 0]
    else:
        img = img[:, :, 0]
    img = img[None, ...]
    if job["crop"]:
        _, y, x = img.shape
        crop_size = np.min([y, x])
        startx = x // 2 - (crop_size // 2)
        starty = y // 2 - (crop_size // 2)
        img = img[:, starty:starty + crop_size, startx:startx + crop_size]
    img = resize(img, (1, job["height"], job["width"]), mode="constant", preserve_range=True).astype(np.float32)
    np.save(job["out"], np.ascontiguousarray(img[None, ...]))


class XrvDenseNet(torch.nn.Module):
    """torchxrayvision's DenseNet-121: torchvision's features with a 1-channel first convolution."""

    def __init__(self, classes, generator):
        super().__init__()
        net = torchvision.models.densenet121(weights=None, num_classes=classes)
        net.features.conv0 = torch.nn.Conv2d(1, 64, kernel_size=7, stride=2, padding=3, bias=False)
        self.features = net.features
        self.classifier = net.classifier
        with torch.no_grad():
            for p in self.parameters():
                p.copy_(torch.randn(p.shape, generator=generator) * (0.05 if p.dim() > 1 else 0.1))
            for m in self.modules():
                if isinstance(m, torch.nn.BatchNorm2d):
                    c = m.num_features
                    m.running_mean.copy_(torch.randn(c, generator=generator) * 0.1)
                    m.running_var.copy_(torch.rand(c, generator=generator) + 0.5)
                    m.weight.copy_(torch.rand(c, generator=generator) + 0.5)
                    m.bias.copy_(torch.randn(c, generator=generator) * 0.1)

    def forward(self, x):
        features = self.features(x)
        out = F.relu(features)
        out = F.adaptive_avg_pool2d(out, (1, 1)).view(features.size(0), -1)
        return self.classifier(out)


def op_norm(outputs, op_threshs):
    op_threshs = op_threshs.expand(outputs.shape[0], -1)
    outputs_new = torch.zeros(outputs.shape) + 0.5
    mask_leq = (outputs < op_threshs) & ~torch.isnan(op_threshs)
    mask_gt = ~(outputs < op_threshs) & ~torch.isnan(op_threshs)
    outputs_new[mask_leq] = outputs[mask_leq] / (op_threshs[mask_leq] * 2)
    outputs_new[mask_gt] = 1.0 - ((1.0 - outputs[mask_gt]) / ((1 - op_threshs[mask_gt]) * 2))
    return outputs_new


def model(job):
    torch.manual_seed(job["seed"])
    thresholds = torch.tensor([float("nan") if t is None else t for t in job["op_threshs"]], dtype=torch.float32)
    generator = torch.Generator().manual_seed(job["seed"])
    net = XrvDenseNet(len(thresholds), generator).eval()
    # Random weights on [-1024, 1024] inputs saturate every sigmoid, and saturated outputs would compare
    # equal whatever the preprocessing. Scale the head so that, for the first image, each logit lands within
    # about one unit of its operating point's logit (0 where there is none): op_norm's two branches both run.
    with torch.no_grad():
        features = F.adaptive_avg_pool2d(F.relu(net.features(torch.from_numpy(np.load(job["inputs"][0])))), (1, 1)).flatten()
        w = torch.randn(net.classifier.weight.shape, generator=generator)
        w *= 2.0 / (w @ features).abs().mean()
        centre = torch.where(torch.isnan(thresholds), torch.zeros_like(thresholds), torch.logit(thresholds.nan_to_num(0.5)))
        net.classifier.weight.copy_(w)
        net.classifier.bias.copy_(centre - w @ features + torch.randn(len(thresholds), generator=generator) * 0.5)
    # The logits go to ONNX; the function applies the sigmoid and op_norm from the manifest.
    torch.onnx.export(net, torch.zeros(1, 1, 224, 224), job["onnx"], input_names=["img"], output_names=["logits"],
                      opset_version=13, dynamic_axes={"img": {0: "batch"}, "logits": {0: "batch"}})
    with torch.no_grad():
        for source, out in zip(job["inputs"], job["outs"]):
            x = torch.from_numpy(np.load(source))
            probabilities = op_norm(torch.sigmoid(net(x)), thresholds)
            np.save(out, probabilities.numpy().astype(np.float32))


def main():
    with open(sys.argv[1]) as f:
        jobs = json.load(f)
    for job in jobs.get("preprocess", []):
        preprocess(job)
    if jobs.get("model"):
        model(jobs["model"])


if __name__ == "__main__":
    main()
