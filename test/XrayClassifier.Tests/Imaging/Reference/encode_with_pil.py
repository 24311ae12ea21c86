#!/usr/bin/python3
"""Encodes test images with PIL, an encoder independent of libvips (tests compare both decoders on them).

    encode_with_pil.py JOBS.json
Each job: raw (.npy, H x W [x bands], uint8 or uint16), out (path), format (PNG | JPEG | TIFF | WEBP),
mode (L, LA, RGB, RGBA, I;16, I;16B, P, 1), optional quality (JPEG/WebP) and orientation (EXIF tag 274).
"""
import json
import sys

import numpy as np
from PIL import Image


def encode(job):
    a = np.load(job["raw"])
    if a.ndim == 3 and a.shape[2] == 1:
        a = a[:, :, 0]
    mode = job["mode"]
    if mode in ("I;16", "I;16B"):
        image = Image.fromarray(a.astype(np.uint16), "I;16")
        if mode == "I;16B":
            # Big-endian samples ("MM" TIFF): PIL keeps the raw mode through to the TIFF writer.
            image = Image.frombytes("I;16B", image.size, a.astype(">u2").tobytes())
    elif mode == "P":
        image = Image.fromarray(a.astype(np.uint8), "RGB").quantize(colors=200, method=Image.MEDIANCUT)
    elif mode == "1":
        image = Image.fromarray(a.astype(np.uint8), "L").convert("1")
    else:
        image = Image.fromarray(a.astype(np.uint8), mode)

    options = {}
    if "quality" in job:
        options["quality"] = job["quality"]
    if job["format"] == "WEBP" and job.get("lossless"):
        options["lossless"] = True
    if job["format"] == "TIFF":
        options["compression"] = "tiff_deflate"
    if "orientation" in job:
        exif = Image.Exif()
        exif[274] = job["orientation"]
        options["exif"] = exif.tobytes()
    image.save(job["out"], job["format"], **options)


def main(argv):
    with open(argv[0]) as f:
        for job in json.load(f):
            encode(job)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
