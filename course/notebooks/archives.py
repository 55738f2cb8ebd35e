"""Notebooks inside a zip archive, read where they are: nothing is unpacked.

    for name, member in archive_members(Path("class.zip")):
        member.read_bytes(limit)           # the notebook's bytes, at most limit + 1 of them

An LMS hands a class over as one zip archive. Grading reads each notebook in
it as `course grade` would read it from the unpacked folder, under the same
name ("alice/ex01.ipynb"), without writing anything to disk: an entry named
"../../.bashrc" or "/etc/passwd" (a "zip slip") is only ever a name, and
such entries, links and oversized entries are reported, not read.
"""

import stat
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath


@dataclass(frozen=True)
class ArchiveMember:
    """One notebook inside a zip archive; it reads like a file."""

    archive: object           # the archive's Path
    member: str               # the entry's name inside it
    size: int                 # its uncompressed size, as the archive says
    problem: str = None       # why it is not read, if it is not

    @property
    def stem(self):
        return PurePosixPath(self.member).stem

    def read_bytes(self, limit):
        """At most limit + 1 bytes of the entry (an archive may lie about sizes)."""
        with zipfile.ZipFile(self.archive) as archive, archive.open(self.member) as file:
            return file.read(limit + 1)

    def __str__(self):
        return f"{self.archive}:{self.member}"


def archive_members(path):
    """[(name relative to the archive's root, ArchiveMember)] of its notebooks, sorted.

    Raises zipfile.BadZipFile (or OSError) when the file is not a readable zip.
    """
    found, seen = [], set()
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            name = info.filename.replace("\\", "/")
            parts = [p for p in name.split("/") if p not in ("", ".")]
            if info.is_dir() or not parts or not _is_notebook_path(parts):
                continue
            problem = None
            if name.startswith("/") or ":" in parts[0] or ".." in parts:
                problem = (f"its path in the archive ({info.filename}) leads outside the "
                           f"archive's folder, so it was not read; ask for the notebook again")
            elif stat.S_ISLNK(info.external_attr >> 16):
                problem = ("it is a symbolic link inside the archive, which grading does not "
                           "follow; ask for the notebook itself")
            relative = "/".join(parts)
            if relative in seen:
                number = 2
                while f"{relative}#{number}" in seen:
                    number += 1
                relative = f"{relative}#{number}"
                problem = problem or ("the archive holds another entry with the same path; "
                                      "only the first was graded")
            seen.add(relative)
            found.append((relative, ArchiveMember(path, info.filename, info.file_size, problem)))
    return sorted(found, key=lambda item: item[0])


def _is_notebook_path(parts):
    """A notebook, not a folder's metadata: macOS adds __MACOSX/ and ._ files to zips."""
    return (parts[-1].lower().endswith(".ipynb") and not parts[-1].startswith("._")
            and not any(p in ("__MACOSX", ".ipynb_checkpoints") for p in parts))
