"""The download layer against a real HTTP server on 127.0.0.1 (no network mocks).

The server serves one payload in several ways: whole, with one byte changed,
or cut off halfway through, and answers 404 for anything else. Stopping it
stands in for being offline.
"""

import hashlib
import http.server
import os
import threading

import pytest

from course.data import (DATA_DIR_ENV, REGISTRY, ChecksumError, DownloadError,
                         RemoteFile, fetch, get_data_dir)

PAYLOAD = bytes(range(256)) * 800  # 204,800 bytes, enough for several chunks
PAYLOAD_SHA256 = hashlib.sha256(PAYLOAD).hexdigest()


class Server:
    """A threaded HTTP server on a free port that counts the requests per path."""

    def __init__(self):
        self.requests = {}
        handler = self._make_handler()
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever,
                                       kwargs={"poll_interval": 0.01}, daemon=True)
        self.thread.start()
        self.running = True

    def url(self, path):
        return f"http://127.0.0.1:{self.port}/{path}"

    def stop(self):
        if self.running:
            self.httpd.shutdown()
            self.httpd.server_close()
            self.thread.join()
            self.running = False

    def _make_handler(self):
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                path = self.path.lstrip("/")
                server.requests[path] = server.requests.get(path, 0) + 1
                if path == "good.bin":
                    self._send(PAYLOAD)
                elif path == "corrupt.bin":
                    self._send(PAYLOAD[:1000] + b"X" + PAYLOAD[1001:])
                elif path == "cut.bin":
                    self._send(PAYLOAD, cut_after=len(PAYLOAD) // 2)
                else:
                    self.send_error(404)

            def _send(self, body, cut_after=None):
                self.send_response(200)
                self.send_header("Content-Type", "application/octet-stream")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body[:cut_after])
                self.wfile.flush()
                self.close_connection = True

            def log_message(self, *args):
                pass

        return Handler


@pytest.fixture
def server():
    running = Server()
    yield running
    running.stop()


def remote_file(url):
    return RemoteFile(name="test", filename="data.bin", url=url, sha256=PAYLOAD_SHA256,
                      size=len(PAYLOAD), source=url, license="CC0",
                      license_url="https://creativecommons.org/publicdomain/zero/1.0/",
                      citation="A test file.")


def test_good_download_is_saved_with_the_right_bytes_and_shows_progress(
        server, tmp_path, capfd):
    path = fetch(remote_file(server.url("good.bin")), tmp_path, progress=True)
    assert path == tmp_path / "data.bin"
    assert path.read_bytes() == PAYLOAD
    assert os.listdir(tmp_path) == ["data.bin"]  # no temporary file left behind
    assert "100%" in capfd.readouterr().err


def test_download_creates_a_missing_data_folder(server, tmp_path):
    folder = tmp_path / "not" / "yet"
    path = fetch(remote_file(server.url("good.bin")), folder, progress=False)
    assert path.read_bytes() == PAYLOAD


def test_not_found_names_the_status_url_checksum_and_folder(server, tmp_path):
    url = server.url("missing.bin")
    with pytest.raises(DownloadError) as error:
        fetch(remote_file(url), tmp_path, progress=False)
    message = str(error.value)
    for expected in ("404", url, PAYLOAD_SHA256, str(tmp_path), DATA_DIR_ENV):
        assert expected in message
    assert os.listdir(tmp_path) == []


def test_corrupted_download_is_not_saved_and_shows_both_checksums(server, tmp_path):
    with pytest.raises(ChecksumError) as error:
        fetch(remote_file(server.url("corrupt.bin")), tmp_path, progress=False)
    corrupt = PAYLOAD[:1000] + b"X" + PAYLOAD[1001:]
    message = str(error.value)
    assert PAYLOAD_SHA256 in message
    assert hashlib.sha256(corrupt).hexdigest() in message
    assert os.listdir(tmp_path) == []


def test_connection_cut_mid_file_leaves_no_file_behind(server, tmp_path):
    with pytest.raises(DownloadError, match="cut before the whole file arrived"):
        fetch(remote_file(server.url("cut.bin")), tmp_path, progress=False)
    assert os.listdir(tmp_path) == []
    # The next attempt downloads afresh and succeeds.
    path = fetch(remote_file(server.url("good.bin")), tmp_path, progress=False)
    assert path.read_bytes() == PAYLOAD


def test_cached_file_is_used_without_the_server(server, tmp_path):
    remote = remote_file(server.url("good.bin"))
    first = fetch(remote, tmp_path, progress=False)
    server.stop()
    second = fetch(remote, tmp_path, progress=False)
    assert second == first
    assert second.read_bytes() == PAYLOAD
    assert server.requests == {"good.bin": 1}


def test_offline_without_a_cached_file_says_where_to_put_it(server, tmp_path):
    url = server.url("good.bin")
    server.stop()
    with pytest.raises(DownloadError) as error:
        fetch(remote_file(url), tmp_path, progress=False)
    message = str(error.value)
    for expected in ("offline", url, PAYLOAD_SHA256, str(tmp_path), DATA_DIR_ENV):
        assert expected in message


def test_bad_cached_file_is_removed_then_downloaded_again(server, tmp_path):
    (tmp_path / "data.bin").write_bytes(b"not the data")
    with pytest.warns(UserWarning) as warning:
        path = fetch(remote_file(server.url("good.bin")), tmp_path, progress=False)
    message = str(warning[0].message)
    assert hashlib.sha256(b"not the data").hexdigest() in message
    assert PAYLOAD_SHA256 in message
    assert path.read_bytes() == PAYLOAD


def test_bad_cached_file_is_removed_even_when_offline(server, tmp_path):
    url = server.url("good.bin")
    server.stop()
    (tmp_path / "data.bin").write_bytes(b"not the data")
    with pytest.warns(UserWarning, match="removed"), pytest.raises(DownloadError) as error:
        fetch(remote_file(url), tmp_path, progress=False)
    assert os.listdir(tmp_path) == []
    # The error, which outlives the warning, still says what was wrong with the copy.
    message = str(error.value)
    assert hashlib.sha256(b"not the data").hexdigest() in message
    assert PAYLOAD_SHA256 in message and "removed" in message


def test_read_only_folder_with_a_verified_file_is_read_without_writing(
        server, tmp_path):
    url = server.url("good.bin")
    server.stop()
    (tmp_path / "data.bin").write_bytes(PAYLOAD)
    tmp_path.chmod(0o555)
    try:
        before = os.stat(tmp_path).st_mtime_ns
        path = fetch(remote_file(url), tmp_path, progress=False)
        assert path.read_bytes() == PAYLOAD
        assert os.listdir(tmp_path) == ["data.bin"]
        assert os.stat(tmp_path).st_mtime_ns == before
    finally:
        tmp_path.chmod(0o755)


def test_folder_that_cannot_be_made_is_a_clear_error(server, tmp_path):
    blocker = tmp_path / "a_file"
    blocker.write_text("a file, not a folder")
    folder = blocker / "data"
    with pytest.raises(DownloadError, match="cannot be written to") as error:
        fetch(remote_file(server.url("good.bin")), folder, progress=False)
    assert str(folder) in str(error.value)


def test_data_dir_argument_beats_the_environment_variable(monkeypatch, tmp_path):
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path / "from_env"))
    assert get_data_dir(tmp_path / "explicit") == tmp_path / "explicit"
    assert get_data_dir() == tmp_path / "from_env"


def test_without_setting_the_user_cache_folder_is_used(monkeypatch):
    pooch = pytest.importorskip("pooch")
    monkeypatch.delenv(DATA_DIR_ENV, raising=False)
    assert get_data_dir() == pooch.os_cache("course")
    monkeypatch.setenv(DATA_DIR_ENV, "")
    assert get_data_dir() == pooch.os_cache("course")


def test_unknown_file_name_lists_the_known_ones(tmp_path):
    with pytest.raises(ValueError, match="'cereals', 'red_wine'"):
        fetch("white_wine", tmp_path)
    with pytest.raises(TypeError, match="RemoteFile"):
        fetch(42, tmp_path)


def test_registry_entries_are_complete():
    assert set(REGISTRY) == {"red_wine", "cereals"}
    for name, remote in REGISTRY.items():
        assert remote.name == name
        assert len(remote.sha256) == 64 and int(remote.sha256, 16) >= 0
        assert remote.url.startswith("https://")
        assert remote.url.endswith(remote.filename)
        assert remote.license.startswith("CC BY")
        assert remote.license_url.startswith("https://creativecommons.org/")
        assert remote.citation and remote.source.startswith("https://")
    assert REGISTRY["red_wine"].url.startswith("https://archive.ics.uci.edu/")
    assert "kaggle.com" in REGISTRY["cereals"].source


def test_importing_course_data_stays_light():
    import subprocess
    import sys

    code = ("import sys, course.data; "
            "print(sorted(m for m in ('pooch', 'requests', 'matplotlib') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "[]"
