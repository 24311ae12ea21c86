"""The model input a Python training pipeline would make from each corpus file: the pydicom + NumPy mapping
reference.py wrote (NAME.none.f64, NAME.window.f64), then PIL as Imaging/Reference/reference_pipeline.py does
for any image — an 8-bit grey image when BitsStored <= 8 and no VOI applies (round(255 x), and a JPEG Baseline
frame is the JPEG itself, opened by PIL), else a float ('F') image of the mapped values, as 16-bit PNGs are
resized. Usage: tensor_reference.py DIR SPECS.json (a list of {key, channels, height, width, resize,
interpolation, mean, std}); writes DIR/NAME.VOI.KEY.npy for every entry of DIR/reference.json."""
import json
import os
import sys

import numpy as np
from PIL import Image

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "Imaging", "Reference"))
from reference_pipeline import planes_from_8bit, planes_from_float  # noqa: E402

DIR = sys.argv[1]
specs = json.load(open(sys.argv[2]))
entries = json.load(open(os.path.join(DIR, "reference.json")))

for entry in entries:
    name = entry["name"]
    for voi in ("none", "window"):
        for spec in specs:
            job = dict(spec)
            if entry.get("baseline"):
                # img2dcm's file has no VOI: both mappings are "none", and an 8-bit MONOCHROME2 frame is its JPEG.
                planes = planes_from_8bit(Image.open(os.path.join(DIR, name + ".jpeg")), job)
            else:
                x = np.fromfile(os.path.join(DIR, f"{name}.{voi}.f64"), "<f8").reshape(entry["rows"], entry["columns"])
                no_voi = voi == "none" or entry["applied"] == "FellBackToNone"
                if entry["bitsStored"] <= 8 and no_voi:
                    grey = np.floor(255 * x + 0.5).astype(np.uint8)
                    planes = planes_from_8bit(Image.fromarray(grey, "L"), job)
                else:
                    planes = planes_from_float([x] * (3 if job["channels"] == 3 else 1), job)
            tensor = np.stack([(p - m) / s for p, m, s in zip(planes, job["mean"], job["std"])]).astype(np.float32)
            np.save(os.path.join(DIR, f"{name}.{voi}.{spec['key']}.npy"), tensor[None])
