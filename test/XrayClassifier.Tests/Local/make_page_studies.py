"""Writes the studies the page's browser tests upload, with tools independent of the function: pydicom writes the
DICOM files and dcmtk's dcmcjpeg compresses them (JPEG Lossless SV1, as PACS send them, so that a 2000-3000 px
study fits Lambda's 6 MB event), Pillow writes the 16-bit PNG and the TIFFs. Each is a chest-radiograph look-alike
(body, lungs, spine, ribs, collimator edges, a burned-in "R" or "L" marker, grain); one DICOM is a left lateral view
(ViewPosition LL, CR), which the function classifies with a warning. The DICOM files carry made-up patient data
(PatientData.cs) that must not reach anything the function answers with.
Usage: make_page_studies.py OUT_DIR. Prints one JSON line: each file's name, width, height, and for a DICOM file
the modality, view position and pixel spacing (mm) it was written with."""
import json
import os
import subprocess
import sys

import numpy as np
import pydicom
from PIL import Image, ImageDraw
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

OUT = sys.argv[1]
PATIENT = {"PatientName": "TESTPERSON^JANE^Q", "PatientID": "PID-4711-XYZ", "PatientBirthDate": "19510203",
           "AccessionNumber": "ACC-99887766", "InstitutionName": "St Nowhere Hospital", "ReferringPhysicianName": "DOC^WHO"}


def radiograph(rows, cols, seed, grain=0.002, lateral=False):
    """[0, 1], 1 where the most X-rays were absorbed (bone white on a MONOCHROME2 display). Frontal (PA): two lungs
    either side of the spine; lateral: one lung field overlapping both, the spine at the back (right), the heart's
    shadow in front and low, the sternum at the front edge."""
    rng = np.random.default_rng(seed)
    v, u = np.mgrid[0:rows, 0:cols].astype(np.float64)
    u = u / cols - 0.5
    v = v / rows - 0.5
    if lateral:
        body = 0.25 + 0.5 * np.exp(-(u * u / 0.16 + v * v / 0.35))
        lungs = 0.38 * np.exp(-((u - 0.03) ** 2 / 0.03 + (v + 0.05) ** 2 / 0.05))
        spine = 0.22 * np.exp(-(u - 0.28) ** 2 / 0.002) * (1 + 0.15 * np.sin(v * 60))
        heart = 0.16 * np.exp(-((u + 0.1) ** 2 / 0.012 + (v - 0.12) ** 2 / 0.01))
        sternum = 0.1 * np.exp(-(u + 0.3) ** 2 / 0.0008) * np.exp(-v * v / 0.06)
        ribs = 0.04 * np.sin(v * 75 - 10 * u) * np.exp(-(u - 0.05) ** 2 / 0.06)
        img = body - lungs + spine + heart + sternum + ribs
    else:
        body = 0.25 + 0.5 * np.exp(-(u * u / 0.12 + v * v / 0.35))
        lungs = 0.33 * (np.exp(-((u - 0.17) ** 2 / 0.008 + (v + 0.03) ** 2 / 0.05)) + np.exp(-((u + 0.17) ** 2 / 0.008 + (v + 0.03) ** 2 / 0.05)))
        spine = 0.18 * np.exp(-u * u / 0.0012)
        ribs = 0.05 * np.sin(v * 75 + 18 * u * u) * np.exp(-u * u / 0.05)
        img = body - lungs + spine + ribs
    img = img + rng.normal(0, grain, (rows, cols))
    top, left = int(rows * 0.05), int(cols * 0.07)
    img[:top, :] = img[-top:, :] = 0.96
    img[:, :left] = img[:, -left:] = 0.96
    canvas = Image.new("L", (16, 16), 0)
    ImageDraw.Draw(canvas).text((4, 2), "L" if lateral else "R", fill=255)
    mask = np.kron(np.array(canvas) > 0, np.ones((cols // 160, cols // 160), dtype=bool))
    r0, c0 = top + 20, left + 20
    img[r0:r0 + mask.shape[0], c0:c0 + mask.shape[1]][mask] = 1.0
    return np.clip(img, 0, 1)


def dicom(name, stored, bits_stored, photometric, extra, modality="DX", view="PA", spacing=0.143):
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.1.1"
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = Dataset()
    ds.file_meta = meta
    ds.is_little_endian, ds.is_implicit_VR = True, False
    ds.SOPClassUID, ds.SOPInstanceUID = meta.MediaStorageSOPClassUID, meta.MediaStorageSOPInstanceUID
    for k, value in PATIENT.items():
        setattr(ds, k, value)
    ds.StudyInstanceUID, ds.SeriesInstanceUID = generate_uid(), generate_uid()
    ds.Modality, ds.BodyPartExamined, ds.ViewPosition = modality, "CHEST", view
    ds.PixelSpacing = [spacing, spacing]
    ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, photometric
    ds.Rows, ds.Columns = stored.shape
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, bits_stored, bits_stored - 1, 0
    for k, value in extra.items():
        setattr(ds, k, value)
    ds.PixelData = stored.astype("<u2").tobytes()
    native = os.path.join(OUT, name + ".native.dcm")
    ds.save_as(native, write_like_original=False)
    out = os.path.join(OUT, name + ".dcm")
    subprocess.run(["dcmcjpeg", "+el", "+sv", "1", native, out], check=True)
    os.remove(native)
    return {"name": name + ".dcm", "width": stored.shape[1], "height": stored.shape[0], "modality": modality, "view": view, "spacing": spacing}


files = []
# MONOCHROME1 (low values white, as CR plates store it), 12 bits in 16, with a RescaleSlope/Intercept and its own window.
rows, cols = 2500, 2048
stored = np.round((1 - radiograph(rows, cols, 21)) * 4095)
files.append(dicom("mono1", stored, 12, "MONOCHROME1", {"RescaleSlope": 1, "RescaleIntercept": 0, "WindowCenter": 2200, "WindowWidth": 3000}))
# 16-bit MONOCHROME2, 16 bits stored, no VOI in the file: the percentile window.
rows, cols = 2400, 2000
stored = np.round(8000 + radiograph(rows, cols, 22, grain=0.0005) * 40000)
files.append(dicom("mono2u16", stored, 16, "MONOCHROME2", {}))
# A left lateral view from a CR reader (43 × 43 cm plate at 0.2 mm), 12 bits, MONOCHROME2 with its own window.
rows, cols = 2150, 2150
stored = np.round(radiograph(rows, cols, 25, lateral=True) * 4095)
files.append(dicom("lateral", stored, 12, "MONOCHROME2", {"WindowCenter": 2048, "WindowWidth": 3600}, modality="CR", view="LL", spacing=0.2))
# A 16-bit PNG whose values use 12 bits, as detector exports often do: nearly black when shown as it is.
rows, cols = 2500, 2048
Image.fromarray(np.round(radiograph(rows, cols, 23) * 4095).astype(np.uint16)).save(os.path.join(OUT, "xray16.png"), optimize=False)
files.append({"name": "xray16.png", "width": cols, "height": rows})
# A TIFF (8-bit grey, LZW), which Chromium does not display at all.
rows, cols = 2200, 2000
Image.fromarray(np.round(radiograph(rows, cols, 24) * 255).astype(np.uint8), "L").save(os.path.join(OUT, "xray.tif"), compression="tiff_lzw")
files.append({"name": "xray.tif", "width": cols, "height": rows})
# A 16-bit grey TIFF whose values use 14 bits, as a flat-panel detector's export: Chromium shows no TIFF, and an 8-bit
# view of it needs a window. Deflate with horizontal differencing (Predictor 2) keeps it in the 6 MB event (LZW: 8 MB).
rows, cols = 2300, 1900
xray16 = np.round(2000 + radiograph(rows, cols, 26, grain=0.001) * 12000).astype(np.uint16)
Image.fromarray(xray16).save(os.path.join(OUT, "xray16.tif"), compression="tiff_adobe_deflate", tiffinfo={317: 2})
with Image.open(os.path.join(OUT, "xray16.tif")) as written:
    assert written.tag_v2.get(317) == 2 and np.array_equal(np.asarray(written), xray16), "the 16-bit TIFF did not read back as written"
files.append({"name": "xray16.tif", "width": cols, "height": rows})
print(json.dumps(files))
