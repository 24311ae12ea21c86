"""The reference the decoder is compared with: for each corpus entry, pydicom reads the reference file
(pydicom decodes native, implicit, deflated and RLE itself; JPEG Lossless was decompressed by dcmtk or gdcm)
and NumPy computes, for the first frame, the stored values and both [0, 1] mappings the issue defines.
Usage: reference.py DIR (reads DIR/corpus.json; writes NAME.stored.i32, NAME.none.f64, NAME.window.f64
raw little-endian, and DIR/reference.json)."""
import json
import os
import sys

import numpy as np
import pydicom
from pydicom.encaps import generate_pixel_data_frame
from pydicom.pixel_data_handlers.util import apply_modality_lut

DIR = sys.argv[1]
corpus = json.load(open(os.path.join(DIR, "corpus.json")))
out = []


def first(value):
    return float(value[0]) if isinstance(value, pydicom.multival.MultiValue) else float(value)


def lut(item, signed_first):
    count, first_mapped, bits = (int(v) for v in item.LUTDescriptor)
    count = count or 65536
    if signed_first and first_mapped >= 32768:
        first_mapped -= 65536
    raw = item.LUTData
    data = np.frombuffer(raw, "<u2")[:count] if isinstance(raw, bytes) else np.asarray(raw, np.int64)[:count]
    return first_mapped, bits, data.astype(np.int64)


for entry in corpus:
    name = entry["name"]
    if entry.get("baseline"):
        ds = pydicom.dcmread(os.path.join(DIR, entry["file"]))
        jpeg = next(generate_pixel_data_frame(ds.PixelData, 1))
        open(os.path.join(DIR, name + ".jpeg"), "wb").write(jpeg)
        out.append({"name": name, "file": entry["file"], "baseline": True, "transferSyntax": str(ds.file_meta.TransferSyntaxUID)})
        continue
    ds = pydicom.dcmread(os.path.join(DIR, entry["reference"]))
    arr = ds.pixel_array
    frames = int(getattr(ds, "NumberOfFrames", 1) or 1)
    if frames > 1:
        arr = arr[0]
    ba, bs, hb, signed = int(ds.BitsAllocated), int(ds.BitsStored), int(ds.HighBit), int(ds.PixelRepresentation) == 1
    # pydicom may or may not have masked or sign-extended; start from the raw allocated word either way.
    words = arr.astype(np.int64) & ((1 << ba) - 1)
    stored = (words >> (hb - bs + 1)) & ((1 << bs) - 1)
    if signed:
        stored = np.where(stored >= 1 << (bs - 1), stored - (1 << bs), stored)
    smallest = -(1 << (bs - 1)) if signed else 0
    mono1 = ds.PhotometricInterpretation == "MONOCHROME1"

    none = (stored - smallest) / ((1 << bs) - 1)
    if mono1:
        none = 1 - none

    if "VOILUTSequence" in ds:
        applied = "LutSequence"
    elif "WindowCenter" in ds and "WindowWidth" in ds:
        function = getattr(ds, "VOILUTFunction", "LINEAR")
        applied = {"LINEAR_EXACT": "WindowLinearExact", "SIGMOID": "WindowSigmoid"}.get(function, "WindowLinear")
    else:
        applied = "FellBackToNone"
    if applied == "FellBackToNone":
        window = none
    else:
        # pydicom's own Modality LUT stage (rescale, or the Modality LUT Sequence).
        x = np.asarray(apply_modality_lut(stored, ds), dtype=np.float64)
        if applied == "LutSequence":
            first_mapped, bits, data = lut(ds.VOILUTSequence[0], signed)
            index = np.clip(np.floor(x) - first_mapped, 0, len(data) - 1).astype(np.int64)
            y = np.clip(data[index] / ((1 << bits) - 1), 0, 1)
        else:
            c, w = first(ds.WindowCenter), first(ds.WindowWidth)
            if applied == "WindowLinear":  # PS3.3 C.11.2.1.2.1
                y = np.where(x <= c - 0.5 - (w - 1) / 2, 0.0,
                             np.where(x > c - 0.5 + (w - 1) / 2, 1.0, (x - (c - 0.5)) / max(w - 1, 1e-300) + 0.5))
            elif applied == "WindowLinearExact":  # C.11.2.1.3.2
                y = np.where(x <= c - w / 2, 0.0, np.where(x > c + w / 2, 1.0, (x - c) / w + 0.5))
            else:  # SIGMOID, C.11.2.1.3.1
                y = 1 / (1 + np.exp(-4 * (x - c) / w))
        window = 1 - y if mono1 else y

    stored.astype("<i4").tofile(os.path.join(DIR, name + ".stored.i32"))
    none.astype("<f8").tofile(os.path.join(DIR, name + ".none.f64"))
    window.astype("<f8").tofile(os.path.join(DIR, name + ".window.f64"))
    out.append({"name": name, "file": entry["file"], "rows": int(ds.Rows), "columns": int(ds.Columns), "frames": frames,
                "bitsAllocated": ba, "bitsStored": bs, "signed": signed, "photometric": str(ds.PhotometricInterpretation),
                "applied": applied, "transferSyntax": str(pydicom.dcmread(os.path.join(DIR, entry["file"]), stop_before_pixels=True).file_meta.TransferSyntaxUID)})

json.dump(out, open(os.path.join(DIR, "reference.json"), "w"), indent=1)
