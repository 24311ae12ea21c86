"""The display preview as the corpus reference (reference.py: pydicom's Modality LUT, then the file's VOI per PS3.3
C.11.2.1.2, MONOCHROME1 inverted) and PIL make it, compared with the function's. A file without a VOI is shown through
a linear window from the 0.5th to the 99.5th percentile of its modality values (NumPy's inverted_cdf), MONOCHROME1
inverted. PIL resizes with BILINEAR (antialiased, as Pillow reduces) to the preview's size.
Usage: preview_reference.py DIR NAME PREVIEW.png (DIR as reference.py left it). Prints JSON: width, height, mean,
p99 and max of |difference| in grey levels."""
import json
import os
import sys

import numpy as np
import pydicom
from PIL import Image
from pydicom.pixel_data_handlers.util import apply_modality_lut

DIR, NAME = sys.argv[1], sys.argv[2]
preview = np.asarray(Image.open(sys.argv[3]), dtype=np.float64)
entry = next(e for e in json.load(open(os.path.join(DIR, "reference.json"))) if e["name"] == NAME)
rows, cols = entry["rows"], entry["columns"]
if entry["applied"] == "FellBackToNone":
    ds = pydicom.dcmread(os.path.join(DIR, entry["file"]))
    stored = np.fromfile(os.path.join(DIR, NAME + ".stored.i32"), "<i4").reshape(rows, cols)
    x = np.asarray(apply_modality_lut(stored, ds), dtype=np.float64)
    low = np.percentile(x, 0.5, method="inverted_cdf")
    high = np.percentile(x, 99.5, method="inverted_cdf")
    y = np.clip((x - low) / max(high - low, 1), 0, 1)
    if entry["photometric"] == "MONOCHROME1":
        y = 1 - y
else:
    y = np.fromfile(os.path.join(DIR, NAME + ".window.f64"), "<f8").reshape(rows, cols)
h, w = preview.shape
image = Image.fromarray((y * 255).astype(np.float32), "F")
if image.size != (w, h):
    image = image.resize((w, h), Image.BILINEAR)
reference = np.clip(np.round(np.asarray(image, dtype=np.float64)), 0, 255)
diff = np.abs(reference - preview)
print(json.dumps({"width": w, "height": h, "mean": float(diff.mean()), "p99": float(np.percentile(diff, 99)), "max": float(diff.max())}))
