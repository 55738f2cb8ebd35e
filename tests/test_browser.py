"""The course in a real browser, the way a person meets it.

Playwright for Python drives Debian's chromium (/usr/bin/chromium; `.ci/run`
installs it with apt-get). No browser is ever downloaded: without chromium or
Playwright these tests skip and say why.

- Every rendered page, opened from disk and from `python -m http.server`,
  loads with no console error, no failed request and no broken image, and
  its math is typeset. A screenshot of each page lands in site-screenshots/,
  with those of JupyterLab (lab-*.png) and of an animation.
- A real JupyterLab on 127.0.0.1: a student runs the setup cell, answers an
  exercise, runs its check and sees the verdict; asks for a hint.

Any request that would leave the machine is aborted and fails the test; the
browser also resolves no host name but the loopback one.
"""

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import Request, urlopen

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = ROOT / "site-screenshots"

# The exercise a student does in JupyterLab below: its notebook, the exercise's
# name, and a right and a wrong answer to it. Change this one place when units move.
EXERCISE = {
    "notebook": "exercises/01_loss_and_cost.ipynb",
    "name": "mse",
    "right": "def mse(y_true, y_pred):\n"
             "    return float(np.mean((np.asarray(y_pred) - np.asarray(y_true)) ** 2))",
    "wrong": "def mse(y_true, y_pred):\n"
             "    return float(np.sum((np.asarray(y_pred) - np.asarray(y_true)) ** 2))",
}

# The explorer moved below: the first lesson's explorer cell that runs on its own
# (it imports its explorer), or, while no lesson has one, a notebook showing one.
EXPLORER_CELL = re.compile(r"from course\.widgets import (\w+_explorer)\b.*^\1\(\)\s*\Z",
                           re.S | re.M)
EXPLORER_FALLBACK = "from course.widgets import learning_rate_explorer\n\nlearning_rate_explorer()"


def explorer_notebook():
    """(notebook to open, the text of its explorer cell)."""
    for path in sorted((ROOT / "lessons").glob("[0-9][0-9]_*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type == "code" and EXPLORER_CELL.search(cell.source):
                return path, cell.source
    return None, EXPLORER_FALLBACK

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
PAGES = sorted(f"{kind}/{path.stem}.html" for kind in ("lessons", "exercises")
               for path in (ROOT / kind).glob("[0-9][0-9]_*.ipynb")) + ["index.html"]


def _why_no_browser():
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed (pip install -e '.[test]')"
    if not CHROMIUM.exists():
        return f"no chromium at {CHROMIUM} (apt-get install chromium)"
    return None


pytestmark = pytest.mark.skipif(_why_no_browser() is not None,
                                reason=_why_no_browser() or "")


# --- The browser, and what it may reach -------------------------------------------------

@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    args = ["--disable-background-networking", "--disable-component-update",
            "--disable-default-apps", "--disable-sync", "--no-first-run",
            "--disable-domain-reliability", "--no-pings",
            "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1"]
    if os.geteuid() == 0:
        args.append("--no-sandbox")  # chromium's sandbox refuses to run as root
    SCREENSHOTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=args)
        yield chromium
        chromium.close()


def is_local(url):
    parts = urlsplit(url)
    return parts.scheme in ("file", "data", "blob", "about") or parts.hostname in LOCAL_HOSTS


class Watch:
    """What a browser context tried to load from outside, what failed, and what the
    pages' consoles said in red."""

    def __init__(self, context):
        self.outside, self.failed, self.errors = [], [], []
        context.route("**/*", self._route)
        context.on("page", self.attach)

    def _route(self, route):
        if is_local(route.request.url):
            route.continue_()
        else:
            self.outside.append(route.request.url)
            route.abort("blockedbyclient")

    def attach(self, page):
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on("requestfailed",
                lambda r: self.failed.append(f"{r.url[:120]}: {r.failure}"))

    def assert_clean(self, what):
        assert not self.outside, f"{what} tried to load from outside the machine: {self.outside}"
        assert not self.failed, f"{what}: failed requests: {self.failed}"
        assert not self.errors, f"{what}: console errors: {self.errors}"


@pytest.fixture
def context(browser):
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    watch = Watch(context)
    yield context, watch
    context.close()


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- The rendered site -----------------------------------------------------------------

@pytest.fixture(scope="module")
def site(tmp_path_factory):
    from course.notebooks.render import render_site

    return render_site(tmp_path_factory.mktemp("browser") / "site",
                       ROOT / "lessons", ROOT / "exercises").out


@pytest.fixture(scope="module")
def http_site(site):
    """The site served as `python -m http.server` serves it, on 127.0.0.1."""
    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(Quiet, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


RAW_MATH = re.compile(r"\$[^$\n]+\$|\\\(|\\\[")


@pytest.mark.parametrize("served", ["file", "http"])
@pytest.mark.parametrize("page_path", PAGES)
def test_page_loads_cleanly_with_its_math_typeset(page_path, served, site, http_site,
                                                  context):
    context, watch = context
    page = context.new_page()
    url = (site / page_path).as_uri() if served == "file" else f"{http_site}/{page_path}"

    page.goto(url, wait_until="load")
    if page.locator("script[src*='MathJax.js']").count():
        page.wait_for_function("document.documentElement.dataset.math === 'rendered'",
                               timeout=30_000)
    page.wait_for_load_state("networkidle")

    if served == "http":  # one screenshot of each page is enough to look at
        page.screenshot(path=SCREENSHOTS / page_path.replace("/", "-").replace(".html", ".png"),
                        full_page=True)
    watch.assert_clean(page_path)
    assert page.evaluate("document.documentElement.lang") == "en"
    broken = page.evaluate("""Array.from(document.images)
        .filter(i => !i.complete || i.naturalWidth === 0).map(i => i.alt)""")
    assert not broken, f"{page_path}: broken images: {broken}"
    assert page.evaluate("Array.from(document.images).every(i => i.alt.trim())")
    prose = page.evaluate("""Array.from(document.querySelectorAll('.jp-MarkdownOutput'))
        .map(cell => {
            const copy = cell.cloneNode(true);
            copy.querySelectorAll('code, pre, script').forEach(e => e.remove());
            return copy.textContent;
        }).join('\\n')""")
    left = RAW_MATH.findall(prose)
    assert not left, f"{page_path}: math left as raw TeX: {left[:5]}"


def test_a_page_that_reaches_outside_fails_the_watch(site, context, tmp_path):
    """The guard itself: a page asking for a style sheet on the internet is caught."""
    context, watch = context
    page_file = tmp_path / "outside.html"
    page_file.write_text('<!DOCTYPE html><html lang="en"><head><title>t</title>'
                         '<link rel="stylesheet" href="https://cdn.example.org/x.css">'
                         '</head><body>x</body></html>', encoding="utf-8")
    page = context.new_page()
    page.goto(page_file.as_uri(), wait_until="load")
    with pytest.raises(AssertionError, match="outside the machine"):
        watch.assert_clean("outside.html")
    assert watch.outside == ["https://cdn.example.org/x.css"]


def test_the_index_leads_through_the_course_page_by_page(site, http_site, context):
    from course.notebooks.render import find_units

    context, watch = context
    page = context.new_page()
    page.goto(f"{http_site}/index.html")
    visited = []
    while page.locator("header a[rel=next]").count():
        page.locator("header a[rel=next]").click()
        page.wait_for_load_state("load")
        visited.append(urlsplit(page.url).path.lstrip("/"))
        assert page.locator("header a.course-index").count() == 1
    units = find_units(ROOT / "lessons", ROOT / "exercises")
    assert visited == [page.href for unit in units for page in unit.pages]
    page.locator("header a.course-index").click()
    page.wait_for_load_state("load")
    assert urlsplit(page.url).path == "/index.html"


def test_an_animation_in_a_page_steps_through_its_frames_offline(context, tmp_path):
    """matplotlib's animation, stored as HTML in a lesson, plays from the page: its
    buttons work without the icon font it would fetch from a CDN."""
    import matplotlib.pyplot as plt
    from matplotlib.animation import FuncAnimation

    from course.notebooks.render import render_site

    fig, ax = plt.subplots(figsize=(3, 2), dpi=50)
    (line,) = ax.plot([0, 1], [0, 0])
    ax.set_ylim(0, 3)
    animation = FuncAnimation(fig, lambda k: line.set_ydata([0, k]), frames=3)
    html = animation.to_jshtml()
    plt.close(fig)
    cell = new_code_cell("animation", outputs=[nbformat.v4.new_output(
        "display_data", data={"text/html": html, "text/plain": "<IPython.core.display.HTML>"})])
    (tmp_path / "lessons").mkdir()
    nbformat.write(new_notebook(cells=[nbformat.v4.new_markdown_cell("# 01 · Frames"), cell]),
                   tmp_path / "lessons" / "01_frames.ipynb")
    site = render_site(tmp_path / "site", tmp_path / "lessons", tmp_path / "exercises").out

    context, watch = context
    page = context.new_page()
    page.goto((site / "lessons" / "01_frames.html").as_uri(), wait_until="load")
    frame = page.locator("img[id^=_anim_img]")
    first = frame.get_attribute("src")
    page.get_by_role("button", name="Next frame").click()
    page.wait_for_function("([img, src]) => img.src !== src",
                           arg=[frame.element_handle(), first], timeout=10_000)
    icon = page.evaluate("""getComputedStyle(document.querySelector(
        '.anim-buttons .fa-play'), '::before').content""")
    assert icon not in ("", "none", "normal"), "the Play button shows no symbol"
    page.screenshot(path=SCREENSHOTS / "animation.png")
    watch.assert_clean("a page with an animation")


# --- A student in JupyterLab -----------------------------------------------------------

@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A real JupyterLab on 127.0.0.1, with its own config, runtime and settings
    folders, the course's shipped settings, and a copy of the exercise to work in."""
    home = tmp_path_factory.mktemp("lab")
    work = home / "work"
    work.mkdir()
    notebook = work / Path(EXERCISE["notebook"]).name
    shutil.copyfile(ROOT / EXERCISE["notebook"], notebook)
    lesson, explorer_cell = explorer_notebook()
    if lesson is not None:
        shutil.copyfile(lesson, work / "explorer.ipynb")
    else:
        nbformat.write(new_notebook(cells=[new_code_cell(explorer_cell)], metadata={
            "kernelspec": {"display_name": "Python 3", "language": "python",
                           "name": "python3"}}), work / "explorer.ipynb")
    app_settings = home / "app-settings"
    app_settings.mkdir()
    shutil.copyfile(ROOT / "jupyter" / "overrides.json", app_settings / "overrides.json")
    # Every cell in the page at once, so the test finds cells below the fold.
    tracker = home / "user-settings" / "@jupyterlab" / "notebook-extension"
    tracker.mkdir(parents=True)
    (tracker / "tracker.jupyterlab-settings").write_text(
        json.dumps({"windowingMode": "none"}), encoding="utf-8")

    port, token = free_port(), secrets.token_hex(16)
    env = {**os.environ,
           "JUPYTER_CONFIG_DIR": str(home / "config"),
           "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
           "JUPYTERLAB_SETTINGS_DIR": str(home / "user-settings"),
           "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"),
           "IPYTHONDIR": str(home / "ipython")}
    command = [sys.executable, "-m", "jupyterlab", "--no-browser",
               "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
               "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
               f"--ServerApp.root_dir={work}", f"--LabApp.app_settings_dir={app_settings}",
               "--LabApp.news_url=None",
               "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    if os.geteuid() == 0:
        command.append("--allow-root")
    log = open(home / "lab.log", "wb")
    server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT,
                              stdin=subprocess.DEVNULL, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if server.poll() is not None:
                pytest.fail(f"JupyterLab stopped at start:\n{(home / 'lab.log').read_text()}")
            try:
                with urlopen(f"{base}/api/status?token={token}", timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"JupyterLab did not answer in 60 s:\n"
                                f"{(home / 'lab.log').read_text()}")
                time.sleep(0.3)
        # Each notebook in a workspace of its own, so that one page does not reopen
        # the other's notebook (two pages editing one file would ask about it).
        yield {"url": f"{base}/lab/workspaces/exercise/tree/{notebook.name}?token={token}",
               "explorer": f"{base}/lab/workspaces/explorer/tree/explorer.ipynb?token={token}",
               "explorer_cell": explorer_cell}
    finally:
        _stop(server, base, token)
        log.close()


def _stop(server, base, token):
    """Shut JupyterLab down as its own menu does, then end whatever is left of its
    process group (the server and its kernels)."""
    try:
        urlopen(Request(f"{base}/api/shutdown?token={token}", method="POST"), timeout=5)
        server.wait(timeout=15)
    except (OSError, subprocess.TimeoutExpired):
        pass
    try:
        os.killpg(server.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    server.wait()


@pytest.fixture(scope="module")
def notebook_page(browser, lab):
    """The exercise open in JupyterLab, its kernel idle, every cell in the page."""
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    watch = Watch(context)
    page = context.new_page()
    page.goto(lab["url"])
    page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").wait_for(
        timeout=90_000)
    code_cell(page, f'check("{EXERCISE["name"]}")').wait_for(timeout=30_000)
    yield page, watch
    context.close()


def code_cell(page, text):
    return page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell").filter(
        has_text=text).first


def run(page, cell, timeout=90):
    """Click into a cell's editor and run it with Shift+Enter, as a student does, and
    wait until it has run (its prompt shows a new number).

    Just after a notebook opens, JupyterLab can report its kernel idle before the
    kernel takes requests, and a cell run then is dropped; a student would press
    Shift+Enter again, and so does this."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    prompt = cell.locator(".jp-InputPrompt")
    before = prompt.inner_text().strip()
    done = """([p, before]) => {
        const now = p.innerText.trim();
        return now !== before && /\\[\\d+\\]/.test(now);
    }"""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        dialog = page.locator(".jp-Dialog")
        if dialog.count():
            page.screenshot(path=SCREENSHOTS / "lab-dialog.png")
            raise AssertionError(f"JupyterLab shows a dialog: {dialog.inner_text()!r}")
        cell.locator(".cm-content").click()
        page.keyboard.press("Shift+Enter")
        try:
            page.wait_for_function(done, arg=[prompt.element_handle(), before],
                                   timeout=15_000)
            return
        except PlaywrightTimeout:
            if "*" in prompt.inner_text():  # still running: wait, do not queue it again
                left = max(1_000, int(1000 * (deadline - time.monotonic())))
                page.wait_for_function(done, arg=[prompt.element_handle(), before],
                                       timeout=left)
                return
    page.screenshot(path=SCREENSHOTS / "lab-cell-never-ran.png")
    raise AssertionError(f"the cell never ran: {cell.inner_text()[:80]!r}")


def write_and_run(page, cell, source):
    cell.locator(".cm-content").click()
    page.keyboard.press("Control+A")
    page.keyboard.insert_text(source)  # typed as is: no auto-indent, no closing brackets
    run(page, cell)


def test_a_student_answers_an_exercise_in_jupyterlab_and_sees_the_verdict(notebook_page):
    page, watch = notebook_page
    name = EXERCISE["name"]
    setup = code_cell(page, "from course.checks import")
    answer = code_cell(page, f"def {name}(")
    check = code_cell(page, f'check("{name}")')

    run(page, setup)

    write_and_run(page, answer, EXERCISE["right"])
    run(page, check)
    verdict = check.locator(".jp-OutputArea-output")
    verdict.filter(has_text=f"✓ {name}: correct").wait_for(timeout=60_000)

    write_and_run(page, answer, EXERCISE["wrong"])
    run(page, check)
    verdict.filter(has_text=f"✗ {name}: incorrect").wait_for(timeout=60_000)
    reason = verdict.inner_text().split(f"✗ {name}: incorrect", 1)[1]
    assert len(reason.strip(" —-\n")) > 10, f"the ✗ verdict gives no reason: {reason!r}"

    assert page.get_by_text(re.compile("Jupyter news|newer version", re.I)).count() == 0
    page.screenshot(path=SCREENSHOTS / "lab-exercise.png")
    assert not watch.outside, f"JupyterLab reached outside the machine: {watch.outside}"


def test_a_student_asks_for_a_hint_in_jupyterlab(notebook_page):
    page, watch = notebook_page
    name = EXERCISE["name"]
    setup = code_cell(page, "from course.checks import")
    if not re.search(r"\[\d+\]", setup.locator(".jp-InputPrompt").inner_text()):
        run(page, setup)
    check = code_cell(page, f'check("{name}")')
    check.locator(".jp-InputPrompt").click()      # select the cell, in command mode
    page.keyboard.press("Escape")
    page.keyboard.press("b")                      # a new cell below it
    page.keyboard.press("Enter")                  # edit it
    page.keyboard.insert_text(f'hint("{name}")')
    page.keyboard.press("Shift+Enter")

    hint = code_cell(page, f'hint("{name}")').locator(".jp-OutputArea-output")
    hint.filter(has_text=f"Hint 1 of").wait_for(timeout=60_000)
    assert name in hint.inner_text()
    assert not watch.outside, f"JupyterLab reached outside the machine: {watch.outside}"


def test_moving_an_explorers_slider_redraws_its_figure(browser, lab):
    pytest.importorskip("course.widgets", reason="course.widgets, the explorers, is not here")
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    watch = Watch(context)
    page = context.new_page()
    page.goto(lab["explorer"])
    page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").wait_for(
        timeout=90_000)
    cell = code_cell(page, lab["explorer_cell"].splitlines()[-1])
    cell.scroll_into_view_if_needed()
    run(page, cell)
    figure = cell.locator(".jupyter-widgets img")
    try:
        figure.wait_for(timeout=60_000)
    except Exception:
        page.screenshot(path=SCREENSHOTS / "lab-explorer-failed.png")
        raise
    readout = cell.locator(".widget-readout").first
    before = (figure.get_attribute("src"), readout.inner_text())

    # By keyboard: the slider's handle takes focus, and the right arrow moves it a step.
    cell.locator(".noUi-handle").first.focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function("([img, src]) => img.src !== src",
                           arg=[figure.element_handle(), before[0]], timeout=60_000)
    after_key = (figure.get_attribute("src"), readout.inner_text())
    assert after_key[1] != before[1], "the slider's readout did not move"

    # By mouse: a click near the slider's left end moves it there.
    track = cell.locator(".noUi-target").first.bounding_box()
    page.mouse.click(track["x"] + 3, track["y"] + track["height"] / 2)
    page.wait_for_function("([img, src]) => img.src !== src",
                           arg=[figure.element_handle(), after_key[0]], timeout=60_000)
    assert readout.inner_text() not in (before[1], after_key[1])
    page.screenshot(path=SCREENSHOTS / "lab-explorer.png")
    assert not watch.outside, f"JupyterLab reached outside the machine: {watch.outside}"
    context.close()
