#!/usr/bin/python3
"""Reference preprocessing: what a PyTorch user's torchvision pipeline feeds a chest X-ray model.

    Image.open -> ImageOps.exif_transpose -> convert('RGB' | 'L') -> resize((W, H), filter)
    [cover: torchvision Resize(shorter side) + CenterCrop] -> ToTensor (/255) -> Normalize(mean, std)

(Except TIFF, which Pillow 9.4 already turns upright while loading: see upright().)

16-bit greyscale cannot go through convert('L') (PIL clips I;16 at 255), so it is scaled by 65535 into
a float ('F') image and resized there, which is what a careful user does. Colour 16-bit files (which PIL
reads as 8-bit) can be given as a raw .npy of their samples instead of an image file.

Run with Debian's /usr/bin/python3 (PIL 9.4, numpy). Usage:
    reference_pipeline.py JOBS.json     # a list of jobs, see run_job; writes each job's "out" .npy
    reference_pipeline.py IMAGE OUT.npy [--channels 3] [--size 224x224] [--resize stretch|cover]
                          [--interpolation bilinear] [--mean 0.485,0.456,0.406] [--std 0.229,0.224,0.225]
"""
import argparse
import json
import sys

import numpy as np
from PIL import Image, ImageOps

FILTERS = {
    "nearest": Image.NEAREST,
    "bilinear": Image.BILINEAR,
    "bicubic": Image.BICUBIC,
    "lanczos3": Image.LANCZOS,
}
SIXTEEN_BIT_GREY = ("I;16", "I;16B", "I;16L", "I")


def resized_size(w, h, width, height, mode):
    """Stretch: (width, height). Cover: torchvision's Resize(int) rule generalised to a W x H target."""
    if mode == "stretch":
        return width, height
    if width * h >= height * w:
        return width, max(height, width * h // w)
    return max(width, height * w // h), height


def resize_and_crop(image, width, height, mode, resample):
    rw, rh = resized_size(image.width, image.height, width, height, mode)
    if (rw, rh) != image.size:
        image = image.resize((rw, rh), resample)
    if (rw, rh) != (width, height):
        # torchvision CenterCrop: offsets int(round((size - crop) / 2)), Python's half-to-even round.
        left, top = int(round((rw - width) / 2.0)), int(round((rh - height) / 2.0))
        image = image.crop((left, top, left + width, top + height))
    return image


def planes_from_float(channels_float, job):
    """Float planes in [0, 1] (already the model's channels) -> resized float planes."""
    out = []
    for plane in channels_float:
        f = Image.fromarray(plane.astype(np.float32), "F")
        f = resize_and_crop(f, job["width"], job["height"], job["resize"], FILTERS[job["interpolation"]])
        out.append(np.asarray(f, dtype=np.float32))
    return out


def model_planes(job):
    channels = job["channels"]
    if job.get("raw"):
        samples = np.load(job["raw"])
        if samples.ndim == 2:
            samples = samples[:, :, None]
        if samples.dtype == np.uint8:
            bands = samples.shape[2]
            image = Image.fromarray(samples[:, :, 0] if bands <= 2 else samples[:, :, :3], "L" if bands <= 2 else "RGB")
            return planes_from_8bit(image, job)
        values = samples.astype(np.float64) / 65535.0
        return planes_from_float(float_channels(values, channels), job)

    image = upright(Image.open(job["image"]))
    if image.mode in SIXTEEN_BIT_GREY:
        grey = np.asarray(image).astype(np.float64) / 65535.0
        return planes_from_float(float_channels(grey[:, :, None], channels), job)
    return planes_from_8bit(image, job)


def upright(image):
    """ImageOps.exif_transpose, except for TIFF: Pillow 9.4's TIFF loader already applies the Orientation
    tag in load_end (TiffImageFile._tile_orientation), and exif_transpose would turn the image again."""
    image.load()
    if image.format == "TIFF" and hasattr(image, "_tile_orientation"):
        return image
    return ImageOps.exif_transpose(image)


def float_channels(values, channels):
    """H x W x bands floats -> the model's channels: grey replicated, colour to ITU-R 601 luma, alpha dropped."""
    bands = values.shape[2]
    grey = bands <= 2
    if channels == 3:
        return [values[:, :, 0]] * 3 if grey else [values[:, :, i] for i in range(3)]
    if grey:
        return [values[:, :, 0]]
    return [0.299 * values[:, :, 0] + 0.587 * values[:, :, 1] + 0.114 * values[:, :, 2]]


def planes_from_8bit(image, job):
    image = image.convert("RGB" if job["channels"] == 3 else "L")
    image = resize_and_crop(image, job["width"], job["height"], job["resize"], FILTERS[job["interpolation"]])
    a = np.asarray(image, dtype=np.float32) / 255.0
    if a.ndim == 2:
        return [a]
    return [a[:, :, i] for i in range(a.shape[2])]


def run_job(job):
    """job: image (path) or raw (.npy of uint8/uint16 samples, displayed orientation), out (.npy path),
    channels, height, width, resize (stretch|cover), interpolation, mean, std."""
    planes = model_planes(job)
    tensor = np.stack([(p - m) / s for p, m, s in zip(planes, job["mean"], job["std"])]).astype(np.float32)
    np.save(job["out"], tensor[None])


def main(argv):
    if len(argv) == 1 and argv[0].endswith(".json"):
        with open(argv[0]) as f:
            for job in json.load(f):
                run_job(job)
        return 0
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("image")
    p.add_argument("out")
    p.add_argument("--channels", type=int, default=3)
    p.add_argument("--size", default="224x224")
    p.add_argument("--resize", default="stretch", choices=["stretch", "cover"])
    p.add_argument("--interpolation", default="bilinear", choices=sorted(FILTERS))
    p.add_argument("--mean", default="0.485,0.456,0.406")
    p.add_argument("--std", default="0.229,0.224,0.225")
    a = p.parse_args(argv)
    w, h = (int(v) for v in a.size.lower().split("x"))
    run_job({
        "image": a.image, "out": a.out, "channels": a.channels, "width": w, "height": h,
        "resize": a.resize, "interpolation": a.interpolation,
        "mean": [float(v) for v in a.mean.split(",")][: a.channels],
        "std": [float(v) for v in a.std.split(",")][: a.channels],
    })
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
