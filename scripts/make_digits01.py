"""Make course/data/digits01.npz: the handwritten 0s and 1s shipped with the course.

    python scripts/make_digits01.py            # rewrites course/data/digits01.npz
    python scripts/make_digits01.py --output /tmp/digits01.npz

The images come from scikit-learn's bundled copy of the UCI "Optical
Recognition of Handwritten Digits" test set (1,797 8x8 images, pixels 0-16,
CC BY 4.0). We keep the 360 images of the digits 0 and 1, in their original
order, so the course needs neither scikit-learn nor a download to use them.
scikit-learn is needed only here: `pip install -e ".[dev]"`.

The file is a zip of .npy arrays that `numpy.load` reads:
    images        uint8,  shape (360, 8, 8), pixel values 0-16
    labels        uint8,  shape (360,), 0 or 1
    source_index  uint16, shape (360,), the row of each image in
                  sklearn.datasets.load_digits()

Running the script twice gives the same bytes: every zip entry gets a fixed
time stamp (numpy.savez_compressed would stamp the current time), so the
committed file can be checked against a fresh run.
"""

import argparse
import io
import zipfile
from pathlib import Path

import numpy as np

OUTPUT = Path(__file__).resolve().parent.parent / "course" / "data" / "digits01.npz"
FIXED_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip entry can hold


def digits01_arrays():
    """Return the 0 and 1 images, labels and source rows as uint arrays."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    keep = np.flatnonzero(digits.target < 2)
    return {
        "images": digits.images[keep].astype(np.uint8),
        "labels": digits.target[keep].astype(np.uint8),
        "source_index": keep.astype(np.uint16),
    }


def write_npz(path, arrays):
    """Write `arrays` (name -> array) as a compressed .npz with fixed time stamps."""
    with zipfile.ZipFile(path, "w") as archive:
        for name, array in arrays.items():
            buffer = io.BytesIO()
            np.lib.format.write_array(buffer, np.ascontiguousarray(array),
                                      allow_pickle=False)
            entry = zipfile.ZipInfo(f"{name}.npy", date_time=FIXED_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            archive.writestr(entry, buffer.getvalue(), compresslevel=9)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=OUTPUT,
                        help=f"where to write the file (default: {OUTPUT})")
    args = parser.parse_args(argv)
    arrays = digits01_arrays()
    write_npz(args.output, arrays)
    counts = np.bincount(arrays["labels"])
    print(f"Wrote {args.output}: {len(arrays['labels'])} images "
          f"({counts[0]} zeros, {counts[1]} ones).")


if __name__ == "__main__":
    main()
