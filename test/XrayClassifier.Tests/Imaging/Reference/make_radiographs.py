#!/usr/bin/python3
"""Writes radiograph look-alikes with what real chest X-ray files have and smooth synthetic images lack:
burned-in high-contrast text and markers ("L", "R", "PA", dates, at several sizes), collimator borders,
film grain, sides of 2000-3000 px. Encoded by PIL (JPEG at quality 75-95, PNG 8- and 16-bit, grey and RGB),
so the encoder is independent of the libvips the pipeline decodes with.

    make_radiographs.py JOBS.json
Each job: out (path), format (JPEG | PNG), mode (L | RGB | I;16), width, height, seed, optional quality
(JPEG) and bits (significant bits of an I;16 PNG: 12 like a detector's DICOM export, or 16).
Deterministic for a given job; about 0.3 s per image.
"""
import json
import sys

import numpy as np
from PIL import Image, ImageDraw, ImageFont

FONTS = ("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def font(size):
    """A TrueType font (anti-aliased edges, like a scanner's annotation) or, without one, PIL's bitmap
    font scaled up (hard edges): either is the kind of edge a DCT-scaled decode gets wrong."""
    for path in FONTS:
        try:
            return ImageFont.truetype(path, size)
        except OSError:
            continue
    return None


def text(canvas, xy, s, size, fill):
    f = font(size)
    if f is not None:
        ImageDraw.Draw(canvas).text(xy, s, fill=fill, font=f)
        return
    small = Image.new("L", (len(s) * 6 + 2, 12), 0)
    ImageDraw.Draw(small).text((1, 0), s, fill=255, font=ImageFont.load_default())
    big = small.resize((small.width * size // 11, small.height * size // 11), Image.NEAREST)
    layer = Image.new(canvas.mode, big.size, fill)
    canvas.paste(layer, xy, big)


def anatomy(w, h, rng):
    """Soft tissue, two lung fields, mediastinum, ribs, clavicles, diaphragm: floats in [0, 1]. Smooth,
    so it is drawn at a quarter of the size and enlarged (the sharp content comes later, at full size)."""
    full = (w, h)
    w, h = (w + 3) // 4, (h + 3) // 4
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    u, v = (x - w / 2) / (w / 2), (y - h / 2) / (h / 2)
    body = np.clip(1.15 - (u / 0.92) ** 2, 0, 1) ** 0.5
    img = 0.35 + 0.35 * body
    for side in (-1, 1):
        cx = side * (0.42 + 0.03 * rng.standard_normal())
        d = ((u - cx) / 0.30) ** 2 + ((v + 0.05) / 0.62) ** 2
        img -= 0.33 * np.clip(1 - d, 0, 1) ** 0.7
    img += 0.25 * np.exp(-((u / 0.14) ** 2)) * (v > -0.7)          # mediastinum and spine
    img += 0.18 * np.clip((v - 0.55 - 0.08 * u ** 2) * 6, 0, 1)      # diaphragm
    for k in range(10):                                              # ribs: thin bright arcs
        arc = v - (-0.75 + 0.14 * k) - 0.18 * (np.abs(u) - 0.4) ** 2
        img += 0.07 * np.exp(-((arc / 0.018) ** 2)) * (np.abs(u) > 0.08) * (np.abs(u) < 0.85)
    for side in (-1, 1):                                             # clavicles
        arc = v + 0.72 - 0.25 * (side * u - 0.3)
        img += 0.10 * np.exp(-((arc / 0.02) ** 2)) * (side * u > 0.05) * (side * u < 0.6)
    return np.array(Image.fromarray(img.astype(np.float32), "F").resize(full, Image.BILINEAR))


def radiograph(job):
    w, h, seed = job["width"], job["height"], job["seed"]
    rng = np.random.default_rng(seed)
    img = anatomy(w, h, rng)
    # Film grain: white noise, slightly correlated (three-tap box in x), and a faint scan-line pattern.
    grain = rng.standard_normal((h, w)).astype(np.float32)
    grain = (grain + np.roll(grain, 1, axis=1) + np.roll(grain, -1, axis=1)) / 3
    img += 0.025 * grain + 0.006 * np.sin(np.arange(h, dtype=np.float32) * 2.1)[:, None]
    # Collimator: the exposed field is a rectangle; outside it the film is bright (unexposed) or black.
    left, right = int(w * (0.04 + 0.03 * rng.random())), int(w * (0.95 - 0.03 * rng.random()))
    top, bottom = int(h * (0.03 + 0.02 * rng.random())), int(h * (0.96 - 0.02 * rng.random()))
    outside = np.ones((h, w), bool)
    outside[top:bottom, left:right] = False
    img[outside] = 0.93 if seed % 2 else 0.02
    img = np.clip(img, 0, 1)

    is16 = job["mode"] == "I;16"
    top_value = (1 << job.get("bits", 16)) - 1 if is16 else 255
    grey = Image.fromarray((img * top_value + 0.5).astype(np.uint16 if is16 else np.uint8))
    canvas = grey.convert("I") if is16 else grey
    if job["mode"] == "RGB":
        canvas = canvas.convert("RGB")
    white = top_value if job["mode"] != "RGB" else (255, 255, 255)
    black = 0 if job["mode"] != "RGB" else (0, 0, 0)
    colour = white if job["mode"] != "RGB" else (255, 220, 0)        # a yellow annotation layer

    s = min(w, h)
    # Lead markers: a letter in a box, white on black, at the field's upper corners.
    for letter, x in (("R", left + s // 40), ("L", right - s // 40 - s // 12)):
        size = s // 14
        ImageDraw.Draw(canvas).rectangle((x, top + s // 40, x + size, top + s // 40 + size), fill=black, outline=white, width=max(2, s // 400))
        text(canvas, (x + size // 5, top + s // 40 + size // 12), letter, int(size * 0.8), white)
    # Burned-in annotations at several sizes: view, date, institution line, tiny scale text.
    text(canvas, (w // 2 - s // 20, top + s // 60), "PA", s // 18, white)
    text(canvas, (left + s // 50, bottom - s // 12), "2024-03-17 08:42", s // 40, colour)
    text(canvas, (left + s // 50, bottom - s // 22), "ERECT  110 kVp  2.5 mAs", s // 60, white)
    text(canvas, (right - s // 3, bottom - s // 25), "ACC# 0038271 / SEQ 1", s // 90, white)
    text(canvas, (right - s // 4, top + s // 8), "PORTABLE", s // 28, colour)
    # Ruler ticks: one-pixel lines (the sharpest edge there is).
    draw = ImageDraw.Draw(canvas)
    for i in range(40):
        x = left + s // 30 + i * (s // 80)
        draw.line((x, bottom - s // 120 - (s // 60 if i % 5 == 0 else s // 120), x, bottom - s // 120), fill=white, width=1)

    if is16:
        canvas = Image.fromarray(np.asarray(canvas, dtype=np.int32).astype(np.uint16), "I;16")
    options = {"quality": job["quality"]} if job["format"] == "JPEG" else {}
    canvas.save(job["out"], job["format"], **options)


def main(argv):
    with open(argv[0]) as f:
        for job in json.load(f):
            radiograph(job)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
