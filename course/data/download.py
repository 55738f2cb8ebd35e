"""Get a registered data file onto your disk, checked byte for byte.

    path = fetch("red_wine")          # a pathlib.Path to winequality-red.csv

The file lives in a data folder, chosen in this order:
    1. the `data_dir=` argument, if you pass one;
    2. the COURSE_DATA_DIR environment variable, if it is set;
    3. a per-user cache folder (pooch.os_cache("course"), e.g. ~/.cache/course).

A copy already in the folder is used only if its SHA-256 matches the
registry. Otherwise the file is downloaded (with a progress bar) into a
temporary file in that folder, checked, and only then renamed to its real
name, so an interrupted or corrupted download never leaves a bad file
behind. pooch does the downloading and caching; this module adds the checks
and errors that tell you what went wrong and what to do.

To work offline, put verified copies of the files in a folder and point
COURSE_DATA_DIR at it. The folder may be read-only: reading a verified file
never writes anything.
"""

import hashlib
import os
import warnings
from pathlib import Path

from course.data.registry import REGISTRY, RemoteFile
from course.validation import check_choice

DATA_DIR_ENV = "COURSE_DATA_DIR"


class DownloadError(OSError):
    """A data file is not on disk and could not be downloaded."""


class ChecksumError(ValueError):
    """A data file's bytes are not the verified ones (its SHA-256 differs)."""


def get_data_dir(data_dir=None):
    """Return the folder data files are read from and saved to, as a Path.

    data_dir: a folder you choose; None means COURSE_DATA_DIR if it is set,
        else the per-user cache folder. The folder need not exist yet.
    """
    if data_dir is not None:
        return Path(data_dir).expanduser()
    from_environment = os.environ.get(DATA_DIR_ENV)
    if from_environment:
        return Path(from_environment).expanduser()
    import pooch

    return Path(pooch.os_cache("course"))


def file_sha256(path):
    """Return the SHA-256 of the file at `path`, as 64 lowercase hex digits.

    hashlib, not pooch: a notebook that loads a data file already there
    need not import the downloader (a tenth of a second).
    """
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def fetch(remote, data_dir=None, progress=True):
    """Return the Path of a verified copy of a data file, downloading it if needed.

    remote: a name in the registry ("red_wine", "cereals") or a RemoteFile.
    data_dir: the data folder (see get_data_dir).
    progress: show a progress bar while downloading.

    Raises DownloadError when the file is missing and cannot be downloaded
    (offline, not found, connection cut, folder not writable), and
    ChecksumError when the downloaded bytes are not the verified ones.
    """
    remote = _as_remote_file(remote)
    folder = get_data_dir(data_dir)
    path = folder / remote.filename
    removed_sha256 = None
    if path.is_file():
        actual = file_sha256(path)
        if actual == remote.sha256:
            return path
        _remove_bad_copy(path, remote, actual)
        removed_sha256 = actual
    _download(remote, folder, progress, removed_sha256)
    return path


def _as_remote_file(remote):
    if isinstance(remote, RemoteFile):
        return remote
    if isinstance(remote, str):
        check_choice(remote, REGISTRY, "data file")
        return REGISTRY[remote]
    raise TypeError(f"remote must be a data file name such as 'red_wine' or a "
                    f"RemoteFile, not {type(remote).__name__}.")


def _remove_bad_copy(path, remote, actual):
    """Delete a cached file whose checksum is wrong, so it is never used."""
    try:
        path.unlink()
    except OSError as error:
        raise ChecksumError(
            f"{path} is not the verified {remote.filename}: its SHA-256 is {actual}, "
            f"expected {remote.sha256}. It could not be removed ({error}); delete "
            f"or replace it by hand.") from None
    warnings.warn(f"{path} was not the verified {remote.filename} (SHA-256 {actual}, "
                  f"expected {remote.sha256}); it was removed and will be "
                  f"downloaded again.", stacklevel=3)


class _HashRecordingDownloader:
    """pooch's HTTP downloader, remembering the SHA-256 of what it received."""

    def __init__(self, progress):
        import pooch

        self.http = pooch.HTTPDownloader(progressbar=progress)
        self.sha256 = None

    def __call__(self, url, output_file, pooch_instance):
        self.sha256 = None
        self.http(url, output_file, pooch_instance)
        self.sha256 = file_sha256(output_file)


def _download(remote, folder, progress, removed_sha256=None):
    """Download remote.url into folder/remote.filename, checked, or raise.

    removed_sha256: the SHA-256 of a bad copy just removed from the folder,
    repeated in the error if the download fails.
    """
    import pooch
    import requests

    downloader = _HashRecordingDownloader(progress)
    try:
        pooch.retrieve(remote.url, known_hash=f"sha256:{remote.sha256}",
                       fname=remote.filename, path=folder, downloader=downloader)
    except requests.exceptions.RequestException as error:
        raise DownloadError(_cannot_download(remote, folder, _reason(error),
                                             removed_sha256)) from None
    except ValueError:
        if downloader.sha256 is None or downloader.sha256 == remote.sha256:
            raise
        raise ChecksumError(
            f"The file downloaded from {remote.url} is not the verified "
            f"{remote.filename}: its SHA-256 is {downloader.sha256}, expected "
            f"{remote.sha256}. It was not saved. The download may have been "
            f"corrupted (try again) or the server now serves different bytes; "
            f"you can also put a verified copy in {folder} yourself.") from None
    except OSError as error:
        reason = f"the folder {folder} cannot be written to ({error.strerror or error})"
        raise DownloadError(_cannot_download(remote, folder, reason,
                                             removed_sha256)) from None


def _reason(error):
    """Say in a few words why a request failed."""
    import requests

    if isinstance(error, requests.exceptions.HTTPError):
        response = error.response
        return f"the server answered {response.status_code} {response.reason}"
    if isinstance(error, requests.exceptions.ChunkedEncodingError):
        return "the connection was cut before the whole file arrived"
    if isinstance(error, requests.exceptions.Timeout):
        return "the server did not answer in time"
    if isinstance(error, requests.exceptions.ConnectionError):
        return "no connection to the server (are you offline?)"
    return f"{type(error).__name__}: {error}"


def _cannot_download(remote, folder, reason, removed_sha256=None):
    lines = [f"Could not download {remote.filename}: {reason}.",
             f"  URL:     {remote.url}",
             f"  SHA-256: {remote.sha256}",
             f"  folder:  {folder}"]
    if removed_sha256 is not None:
        lines.append(f"  removed: the copy that was in the folder, because its "
                     f"SHA-256 was {removed_sha256}")
    lines.append(f"To work offline, download the file where you have a network, check "
                 f"that its SHA-256 is the one above, and put it in that folder, or set "
                 f"{DATA_DIR_ENV} to a folder that holds it.")
    return "\n".join(lines)
