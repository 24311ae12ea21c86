"""Writes one large uncompressed DICOM chest radiograph with pydicom, for tests of uploads past API Gateway's
10 MB (the S3 upload path): 16-bit Explicit VR Little Endian, 12 bits stored, MONOCHROME2, DX, PA, with the
same made-up patient data as the corpus. Usage: make_large.py OUT.dcm [MEGABYTES] (default 15; the file is
within 0.1 MB of it). Prints the file's rows, columns and size."""
import math
import sys

import numpy as np
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

out = sys.argv[1]
megabytes = float(sys.argv[2]) if len(sys.argv) > 2 else 15.0
pixels = int(megabytes * 1024 * 1024) // 2
cols = int(math.sqrt(pixels / 1.2)) // 2 * 2
rows = pixels // cols // 2 * 2

v, u = np.mgrid[0:rows, 0:cols].astype(np.float32)
u = u / cols - 0.5
v = v / rows - 0.5
img = 0.25 + 0.5 * np.exp(-(u * u / 0.12 + v * v / 0.35))
img -= 0.33 * (np.exp(-((u - 0.17) ** 2 / 0.008 + (v + 0.03) ** 2 / 0.05)) + np.exp(-((u + 0.17) ** 2 / 0.008 + (v + 0.03) ** 2 / 0.05)))
img += 0.18 * np.exp(-u * u / 0.0012) + 0.05 * np.sin(v * 75 + 18 * u * u) * np.exp(-u * u / 0.05)
img += np.random.default_rng(15).normal(0, 0.012, (rows, cols)).astype(np.float32)
stored = np.round(np.clip(img, 0, 1) * 4095).astype(np.uint16)

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
ds.PatientName, ds.PatientID, ds.PatientBirthDate, ds.AccessionNumber = "TESTPERSON^JANE^Q", "PID-4711-XYZ", "19510203", "ACC-99887766"
ds.Modality, ds.BodyPartExamined, ds.ViewPosition = "DX", "CHEST", "PA"
ds.PixelSpacing = [0.139, 0.139]
ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
ds.Rows, ds.Columns = rows, cols
ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 12, 11, 0
ds.WindowCenter, ds.WindowWidth = 2048, 4096
ds.PixelData = stored.tobytes()
ds.save_as(out, write_like_original=False)
import os
print(rows, cols, os.path.getsize(out))
