"""Writes DICOM files the decoder must refuse, each with the typed reason expected: real encodings from dcmtk
and gdcm for the transfer syntaxes they write, pydicom-encapsulated stand-ins for the rest (video, JPIP,
HTJ2K...), colour images, a report without pixels. Usage: make_refused.py OUT_DIR (writes refused.json)."""
import json
import os
import struct
import subprocess
import sys

import numpy as np
from PIL import Image
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.encaps import encapsulate
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

OUT = sys.argv[1]
PATIENT = {"PatientName": "TESTPERSON^JANE^Q", "PatientID": "PID-4711-XYZ", "PatientBirthDate": "19510203",
           "AccessionNumber": "ACC-99887766", "InstitutionName": "St Nowhere Hospital"}
refused = []


def run(*args):
    done = subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if done.returncode != 0:
        sys.exit(f"{' '.join(args)} failed ({done.returncode}): {done.stderr}")


def dataset(sop_class="1.2.840.10008.5.1.4.1.1.1.1", syntax=ExplicitVRLittleEndian):
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = sop_class
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = syntax
    ds = Dataset()
    ds.file_meta = meta
    ds.is_little_endian = True
    ds.is_implicit_VR = False
    ds.SOPClassUID = sop_class
    ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
    for k, v in PATIENT.items():
        setattr(ds, k, v)
    ds.Modality = "DX"
    return ds


def image(ds, pixels, photometric="MONOCHROME2", samples=1, bits=16, stored=12):
    ds.SamplesPerPixel = samples
    ds.PhotometricInterpretation = photometric
    if samples > 1:
        ds.PlanarConfiguration = 0
    ds.Rows, ds.Columns = pixels.shape[0], pixels.shape[1]
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = bits, stored, stored - 1, 0
    return ds


def save(ds, name, reason, uid=None):
    path = os.path.join(OUT, name)
    ds.save_as(path, write_like_original=False)
    refused.append({"file": name, "reason": reason, "uid": uid})


rng = np.random.default_rng(1)
grey = rng.integers(0, 4096, (64, 48)).astype(np.uint16)
base = image(dataset(), grey)
base.PixelData = grey.tobytes()
base.save_as(os.path.join(OUT, "refused-base.dcm"), write_like_original=False)
src = os.path.join(OUT, "refused-base.dcm")


def tool(name, uid, *args):
    dst = os.path.join(OUT, name)
    run(*[a.replace("IN", src).replace("OUT", dst) for a in args])
    refused.append({"file": name, "reason": "UnsupportedTransferSyntax", "uid": uid})


tool("jpegls.dcm", "1.2.840.10008.1.2.4.80", "dcmcjpls", "IN", "OUT")
tool("jpegls-near.dcm", "1.2.840.10008.1.2.4.81", "dcmcjpls", "+en", "IN", "OUT")
tool("j2k.dcm", "1.2.840.10008.1.2.4.90", "gdcmconv", "--j2k", "IN", "OUT")
tool("j2k-lossy.dcm", "1.2.840.10008.1.2.4.91", "gdcmconv", "--j2k", "--lossy", "-q", "40", "IN", "OUT")
tool("bigendian.dcm", "1.2.840.10008.1.2.2", "dcmconv", "+tb", "IN", "OUT")
tool("extended12.dcm", "1.2.840.10008.1.2.4.51", "dcmcjpeg", "+ee", "IN", "OUT")

# Transfer syntaxes no tool here writes: a valid file whose meta header names them.
for uid in ["1.2.840.10008.1.2.1.98", "1.2.840.10008.1.2.4.52", "1.2.840.10008.1.2.4.53", "1.2.840.10008.1.2.4.55",
            "1.2.840.10008.1.2.4.58", "1.2.840.10008.1.2.4.92", "1.2.840.10008.1.2.4.93", "1.2.840.10008.1.2.4.94",
            "1.2.840.10008.1.2.4.95", "1.2.840.10008.1.2.4.100", "1.2.840.10008.1.2.4.100.1", "1.2.840.10008.1.2.4.101",
            "1.2.840.10008.1.2.4.101.1", "1.2.840.10008.1.2.4.102", "1.2.840.10008.1.2.4.102.1", "1.2.840.10008.1.2.4.103",
            "1.2.840.10008.1.2.4.103.1", "1.2.840.10008.1.2.4.104", "1.2.840.10008.1.2.4.104.1", "1.2.840.10008.1.2.4.105",
            "1.2.840.10008.1.2.4.105.1", "1.2.840.10008.1.2.4.106", "1.2.840.10008.1.2.4.106.1", "1.2.840.10008.1.2.4.107",
            "1.2.840.10008.1.2.4.108", "1.2.840.10008.1.2.4.201", "1.2.840.10008.1.2.4.202", "1.2.840.10008.1.2.4.203",
            "1.2.3.4.5.6.7"]:
    # pydicom only writes UIDs it knows: write as JPEG 2000, then put this UID into the meta header.
    ds = image(dataset(syntax="1.2.840.10008.1.2.4.90"), grey)
    ds.PixelData = encapsulate([b"\x00\x01" * 32])
    name = f"ts-{uid}.dcm"
    save(ds, name, "UnsupportedTransferSyntax", uid)
    data = bytearray(open(os.path.join(OUT, name), "rb").read())
    old = b"\x02\x00\x10\x00UI\x16\x001.2.840.10008.1.2.4.90"
    value = uid.encode() + (b"\x00" if len(uid) % 2 else b"")
    at = data.index(old)
    data[at:at + len(old)] = b"\x02\x00\x10\x00UI" + struct.pack("<H", len(value)) + value
    group_length = struct.unpack_from("<I", data, 140)[0]
    struct.pack_into("<I", data, 140, group_length + len(value) - 22)
    open(os.path.join(OUT, name), "wb").write(data)

rgb = image(dataset(), np.zeros((32, 24)), photometric="RGB", samples=3, bits=8, stored=8)
rgb.PixelData = rng.integers(0, 256, (32, 24, 3)).astype(np.uint8).tobytes()
save(rgb, "rgb.dcm", "NotGreyscale")
palette = image(dataset(), np.zeros((32, 24)), photometric="PALETTE COLOR", bits=8, stored=8)
palette.PixelData = rng.integers(0, 256, (32, 24)).astype(np.uint8).tobytes()
save(palette, "palette.dcm", "NotGreyscale")
Image.fromarray(rng.integers(0, 256, (40, 32, 3)).astype(np.uint8), "RGB").save(os.path.join(OUT, "colour.jpg"))
run("img2dcm", os.path.join(OUT, "colour.jpg"), os.path.join(OUT, "ybr.dcm"))
refused.append({"file": "ybr.dcm", "reason": "NotGreyscale", "uid": None})

sr = dataset(sop_class="1.2.840.10008.5.1.4.1.1.88.22")
sr.Modality = "SR"
sr.ValueType = "CONTAINER"
save(sr, "sr.dcm", "NotAnImage")

wide = image(dataset(), np.zeros((8, 8)), bits=32, stored=32)
wide.PixelData = np.zeros((8, 8), np.uint32).tobytes()
save(wide, "bits32.dcm", "UnsupportedPixelFormat")
floats = image(dataset(), np.zeros((8, 8)), bits=32, stored=32)
floats.FloatPixelData = np.zeros((8, 8), np.float32).tobytes()
save(floats, "float.dcm", "UnsupportedPixelFormat")

json.dump(refused, open(os.path.join(OUT, "refused.json"), "w"), indent=1)
