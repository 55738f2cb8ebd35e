"""The public data files the course downloads, with what is needed to trust them.

Each entry says where the file comes from (its canonical source), the URL we
download it from, the SHA-256 of the exact bytes we expect, and the license
and citation you owe the people who made it. `course.data.fetch` uses the
checksum to refuse any other bytes. DATASETS.md, next to this module, says
the same for a human reader.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class RemoteFile:
    """One public data file: where to get it, how to check it, how to credit it.

    name: the short name used by `fetch`, e.g. "red_wine".
    filename: the file's name in the data folder.
    url: the URL it is downloaded from.
    sha256: the SHA-256 of the exact bytes (64 hex digits).
    size: its length in bytes.
    source: the canonical page of the dataset.
    license: the license's name; license_url: its text.
    citation: how to cite the data.
    """

    name: str
    filename: str
    url: str
    sha256: str
    size: int
    source: str
    license: str
    license_url: str
    citation: str


RED_WINE = RemoteFile(
    name="red_wine",
    filename="winequality-red.csv",
    url=("https://archive.ics.uci.edu/ml/machine-learning-databases/"
         "wine-quality/winequality-red.csv"),
    sha256="4a402cf041b025d4566d954c3b9ba8635a3a8a01e039005d97d6a710278cf05e",
    size=84_199,
    source="https://archive.ics.uci.edu/dataset/186/wine+quality",
    license="CC BY 4.0",
    license_url="https://creativecommons.org/licenses/by/4.0/",
    citation=("P. Cortez, A. Cerdeira, F. Almeida, T. Matos and J. Reis. Modeling "
              "wine preferences by data mining from physicochemical properties. "
              "Decision Support Systems, 47(4):547-553, 2009. "
              "https://doi.org/10.1016/j.dss.2009.05.016. Dataset: Wine Quality, "
              "UCI Machine Learning Repository, https://doi.org/10.24432/C56S3T."),
)

# Kaggle, the canonical source, needs an account to download; this raw copy,
# pinned to one commit, holds the same bytes (version 2 of the Kaggle file).
CEREALS = RemoteFile(
    name="cereals",
    filename="cereal.csv",
    url=("https://raw.githubusercontent.com/CoraWagner/Filter/"
         "7a3b39f2fff6dde4ab5fca9749e56a348b546cca/cereal.csv"),
    sha256="d01ef75feff5ac2d6534500809f5fd569c09123f2d8d93df8018e8472c505884",
    size=5_063,
    source="https://www.kaggle.com/datasets/crawford/80-cereals",
    license="CC BY-SA 3.0",
    license_url="https://creativecommons.org/licenses/by-sa/3.0/",
    citation=("Crawford, C. 80 Cereals (version 2) [Dataset]. Kaggle. "
              "https://www.kaggle.com/datasets/crawford/80-cereals. Data "
              "originally from the 1993 ASA Statistical Graphics Exposition, "
              "http://lib.stat.cmu.edu/datasets/1993.expo/."),
)

REGISTRY = {remote.name: remote for remote in (RED_WINE, CEREALS)}
