"""Writes the DICOM test corpus with tools independent of the decoder under test: pydicom writes the
native originals (every bit depth, sign, photometric, VOI variant), dcmtk and gdcm re-encode them in every
transfer syntax, img2dcm wraps a JPEG. Usage: make_corpus.py OUT_DIR. Writes OUT_DIR/corpus.json listing
each file with the native file its reference values come from."""
import json
import os
import shutil
import subprocess
import sys

import numpy as np
import pydicom
from PIL import Image, ImageDraw
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.sequence import Sequence
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

OUT = sys.argv[1]
TOOLS = ["img2dcm", "dcmconv", "dcmcjpeg", "dcmdjpeg", "dcmcrle", "dcmcjpls", "gdcmconv"]
missing = [t for t in TOOLS if shutil.which(t) is None]
if missing:
    sys.exit(f"missing {', '.join(missing)}: run tools/prerequisites.sh (installs dcmtk, libgdcm-tools, python3-pydicom)")

# Made-up patient data: tests assert none of it reaches anything the decoder returns.
PATIENT = {"PatientName": "TESTPERSON^JANE^Q", "PatientID": "PID-4711-XYZ", "PatientBirthDate": "19510203",
           "AccessionNumber": "ACC-99887766", "InstitutionName": "St Nowhere Hospital", "ReferringPhysicianName": "DOC^WHO"}


def radiograph(rows, cols, seed):
    """A chest-radiograph-like picture in [0, 1]: body, lungs, spine, ribs, collimator edges, burned-in letters, grain."""
    rng = np.random.default_rng(seed)
    v, u = np.mgrid[0:rows, 0:cols].astype(np.float64)
    u = u / cols - 0.5
    v = v / rows - 0.5
    body = 0.25 + 0.5 * np.exp(-(u * u / 0.12 + v * v / 0.35))
    lungs = 0.33 * (np.exp(-((u - 0.17) ** 2 / 0.008 + (v + 0.03) ** 2 / 0.05)) + np.exp(-((u + 0.17) ** 2 / 0.008 + (v + 0.03) ** 2 / 0.05)))
    spine = 0.18 * np.exp(-u * u / 0.0012)
    ribs = 0.05 * np.sin(v * 75 + 18 * u * u) * np.exp(-u * u / 0.05)
    img = body - lungs + spine + ribs + rng.normal(0, 0.012, (rows, cols))
    # Collimator: outside the exposed field almost no dose reaches the plate.
    top, left = int(rows * 0.05), int(cols * 0.07)
    img[:top, :] = 0.96
    img[-top:, :] = 0.96
    img[:, :left] = 0.96
    img[:, -left:] = 0.96
    # Burned-in annotation, as modalities stamp side markers and text.
    canvas = Image.new("L", (80, 16), 0)
    ImageDraw.Draw(canvas).text((1, 2), "R PA 1:23", fill=255)
    mask = np.array(canvas) > 0
    scale = max(1, cols // 320)
    mask = np.kron(mask, np.ones((scale, scale), dtype=bool))
    r0, c0 = top + 4, left + 4
    h, w = min(mask.shape[0], rows - r0), min(mask.shape[1], cols - c0)
    img[r0:r0 + h, c0:c0 + w][mask[:h, :w]] = 1.0
    return np.clip(img, 0, 1)


def write(name, pixels, bits_allocated, bits_stored, high_bit=None, signed=False, photometric="MONOCHROME2",
          frames=1, extra=None, words=None):
    """Writes a native Explicit VR Little Endian file with pydicom; returns its path."""
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.1.1"
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = Dataset()
    ds.file_meta = meta
    ds.is_little_endian = True
    ds.is_implicit_VR = False
    ds.SOPClassUID = meta.MediaStorageSOPClassUID
    ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
    for k, value in PATIENT.items():
        setattr(ds, k, value)
    ds.StudyInstanceUID = generate_uid()
    ds.SeriesInstanceUID = generate_uid()
    ds.Modality = "DX"
    ds.BodyPartExamined = "CHEST"
    ds.ViewPosition = "PA"
    ds.PixelSpacing = [0.139, 0.143]
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = photometric
    if frames > 1:
        ds.NumberOfFrames = frames
    ds.Rows, ds.Columns = pixels.shape[-2], pixels.shape[-1]
    ds.BitsAllocated = bits_allocated
    ds.BitsStored = bits_stored
    ds.HighBit = bits_stored - 1 if high_bit is None else high_bit
    ds.PixelRepresentation = 1 if signed else 0
    for k, value in (extra or {}).items():
        setattr(ds, k, value)
    if words is None:
        dtype = {(8, False): np.uint8, (8, True): np.int8, (16, False): np.uint16, (16, True): np.int16}[(bits_allocated, signed)]
        words = pixels.astype(dtype)
    ds.PixelData = words.tobytes()
    path = os.path.join(OUT, name + ".dcm")
    ds.save_as(path, write_like_original=False)
    return path


def run(*args):
    done = subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if done.returncode != 0:
        sys.exit(f"{' '.join(args)} failed ({done.returncode}): {done.stderr}")


corpus = []


def add(name, path, reference, **expect):
    corpus.append({"name": name, "file": os.path.basename(path), "reference": os.path.basename(reference), **expect})


def derive(base, suffix, tool_args, decompress=None, **expect):
    """Re-encodes BASE.dcm with a tool. The reference is the file itself where pydicom decodes it (implicit,
    deflated, RLE), else the tool's own decompression of the result (JPEG Lossless)."""
    src = os.path.join(OUT, base + ".dcm")
    dst = os.path.join(OUT, f"{base}.{suffix}.dcm")
    run(*[a.replace("IN", src).replace("OUT", dst) for a in tool_args])
    reference = dst
    if decompress:
        reference = os.path.join(OUT, f"{base}.{suffix}.ref.dcm")
        run(*[a.replace("IN", dst).replace("OUT", reference) for a in decompress])
    add(f"{base}.{suffix}", dst, reference, **expect)


def quantise(img, bits):
    return np.round(img * ((1 << bits) - 1)).astype(np.int64)


DJPEG = ["dcmdjpeg", "IN", "OUT"]
SMALL = (320, 256)
FULL = (2500, 2048)

# 12-bit unsigned in 16, windowed (LINEAR by default), multi-valued window: full size and small.
for label, (rows, cols) in (("u12", SMALL), ("u12full", FULL)):
    write(label, quantise(radiograph(rows, cols, 1), 12), 16, 12,
          extra={"WindowCenter": [1800, 2500], "WindowWidth": [2200, 1000], "RescaleSlope": 1, "RescaleIntercept": 0})
    add(label, os.path.join(OUT, label + ".dcm"), os.path.join(OUT, label + ".dcm"))
derive("u12full", "jpegsv1", ["dcmcjpeg", "+e1", "IN", "OUT"], decompress=DJPEG)
derive("u12full", "rle", ["dcmcrle", "IN", "OUT"])
derive("u12", "implicit", ["dcmconv", "+ti", "IN", "OUT"])
derive("u12", "deflated", ["dcmconv", "+td", "IN", "OUT"])
derive("u12", "rle", ["dcmcrle", "IN", "OUT"])
derive("u12", "gdcmrle", ["gdcmconv", "--rle", "IN", "OUT"])
derive("u12", "gdcmjpeg", ["gdcmconv", "--jpeg", "IN", "OUT"], decompress=["gdcmconv", "--raw", "IN", "OUT"])
for sv in range(1, 8):
    derive("u12", f"jpeg57sv{sv}", ["dcmcjpeg", "+el", "+sv", str(sv), "IN", "OUT"], decompress=DJPEG)
derive("u12", "jpegpt3", ["dcmcjpeg", "+el", "+sv", "5", "+pt", "3", "IN", "OUT"], decompress=DJPEG)

# 16-bit MONOCHROME1 with a rescale and a SIGMOID window.
write("mono1u16", quantise(1 - radiograph(*SMALL, 2), 16), 16, 16, photometric="MONOCHROME1",
      extra={"WindowCenter": 70000, "WindowWidth": 40000, "VOILUTFunction": "SIGMOID", "RescaleSlope": 2, "RescaleIntercept": -100})
add("mono1u16", os.path.join(OUT, "mono1u16.dcm"), os.path.join(OUT, "mono1u16.dcm"))
derive("mono1u16", "rle", ["dcmcrle", "IN", "OUT"])
derive("mono1u16", "jpegsv4", ["dcmcjpeg", "+el", "+sv", "4", "IN", "OUT"], decompress=DJPEG)

# Signed 16-bit, a CT-like rescale and LINEAR_EXACT.
s16 = quantise(radiograph(*SMALL, 3), 13) - 3000
write("s16", s16, 16, 16, signed=True,
      extra={"WindowCenter": 40, "WindowWidth": 3500.5, "VOILUTFunction": "LINEAR_EXACT", "RescaleSlope": 1, "RescaleIntercept": -1024})
add("s16", os.path.join(OUT, "s16.dcm"), os.path.join(OUT, "s16.dcm"))
derive("s16", "rle", ["dcmcrle", "IN", "OUT"])
derive("s16", "jpegsv6", ["dcmcjpeg", "+el", "+sv", "6", "IN", "OUT"], decompress=DJPEG)

# Signed 12-bit in 16 with overlay-like garbage in bits 12-15: only the stored bits count.
s12 = quantise(radiograph(*SMALL, 4), 12) - 2048
garbage = (np.random.default_rng(5).integers(0, 16, s12.shape) << 12)
write("s12garbage", s12, 16, 12, signed=True, words=((s12 & 0xFFF) | garbage).astype(np.uint16),
      extra={"WindowCenter": -100, "WindowWidth": 2000, "RescaleSlope": 0.5, "RescaleIntercept": 10})
add("s12garbage", os.path.join(OUT, "s12garbage.dcm"), os.path.join(OUT, "s12garbage.dcm"))

# 12 stored bits at the top of the word (HighBit 15), and no VOI at all: window falls back to none.
u12hi = quantise(radiograph(*SMALL, 6), 12)
write("u12high", u12hi, 16, 12, high_bit=15, words=((u12hi << 4) | 0x5).astype(np.uint16))
add("u12high", os.path.join(OUT, "u12high.dcm"), os.path.join(OUT, "u12high.dcm"))

# 8-bit, a width-1 LINEAR window (a threshold); RLE, lossless JPEG and a JPEG Baseline via img2dcm.
write("u8", quantise(radiograph(*SMALL, 7), 8), 8, 8, extra={"WindowCenter": 128, "WindowWidth": 1})
add("u8", os.path.join(OUT, "u8.dcm"), os.path.join(OUT, "u8.dcm"))
derive("u8", "rle", ["dcmcrle", "IN", "OUT"])
derive("u8", "jpegsv1", ["dcmcjpeg", "+e1", "IN", "OUT"], decompress=DJPEG)
Image.fromarray(quantise(radiograph(*SMALL, 8), 8).astype(np.uint8), "L").save(os.path.join(OUT, "baseline.jpg"), quality=90)
run("img2dcm", os.path.join(OUT, "baseline.jpg"), os.path.join(OUT, "baseline.dcm"))
corpus.append({"name": "baseline", "file": "baseline.dcm", "reference": None, "baseline": True})

# 6 stored bits in 8: the 8-bit path rounds to the nearest grey.
write("u6", quantise(radiograph(*SMALL, 9), 6), 8, 6, photometric="MONOCHROME1")
add("u6", os.path.join(OUT, "u6.dcm"), os.path.join(OUT, "u6.dcm"))

# Multi-frame: three different frames; the first is classified. Fragmented JPEG with and without offsets.
frames = np.stack([quantise(radiograph(200, 160, 10 + f), 10) for f in range(3)])
write("multi", frames, 16, 10, frames=3, extra={"WindowCenter": 500, "WindowWidth": 800})
add("multi", os.path.join(OUT, "multi.dcm"), os.path.join(OUT, "multi.dcm"))
derive("multi", "rle", ["dcmcrle", "IN", "OUT"])
derive("multi", "jpegfrag", ["dcmcjpeg", "+e1", "+fs", "4", "IN", "OUT"], decompress=DJPEG)
derive("multi", "jpegfragnobot", ["dcmcjpeg", "+e1", "+fs", "4", "-ot", "IN", "OUT"], decompress=DJPEG)
derive("multi", "rlenobot", ["dcmcrle", "-ot", "IN", "OUT"])

# Modality LUT Sequence and VOI LUT Sequence (the VOI LUT wins over the window also present).
u12 = quantise(radiograph(*SMALL, 12), 12)
mod = Dataset()
mod.LUTDescriptor = [4096, 0, 16]
mod.ModalityLUTType = "OD"
mod.LUTData = np.array([round(60000 * (i / 4095) ** 0.7) for i in range(4096)], '<u2').tobytes()
voi = Dataset()
voi.LUTDescriptor = [3000, 10000, 12]
voi.LUTData = np.array([round(4095 * (0.5 - 0.5 * np.cos(np.pi * i / 2999))) for i in range(3000)], '<u2').tobytes()
write("luts", u12, 16, 12, extra={"ModalityLUTSequence": Sequence([mod]), "VOILUTSequence": Sequence([voi]),
                                  "WindowCenter": 2000, "WindowWidth": 1000})
add("luts", os.path.join(OUT, "luts.dcm"), os.path.join(OUT, "luts.dcm"))
derive("luts", "implicit", ["dcmconv", "+ti", "IN", "OUT"])
mod2 = Dataset()
mod2.LUTDescriptor = [4096, 0, 16]
mod2.ModalityLUTType = "US"
mod2.LUTData = np.array([min(65535, 16 * i + 7) for i in range(4096)], '<u2').tobytes()
write("modlutwindow", quantise(radiograph(*SMALL, 13), 12), 16, 12, photometric="MONOCHROME1",
      extra={"ModalityLUTSequence": Sequence([mod2]), "WindowCenter": 30000, "WindowWidth": 40000})
add("modlutwindow", os.path.join(OUT, "modlutwindow.dcm"), os.path.join(OUT, "modlutwindow.dcm"))

with open(os.path.join(OUT, "corpus.json"), "w") as f:
    json.dump(corpus, f, indent=1)
