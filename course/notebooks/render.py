"""Pages for readers: the lessons and exercises as a static site, with no network.

    course render [--out site] [--execute]

Units are found from the files present: `lessons/NN_topic.ipynb` and
`exercises/NN_topic.ipynb` with the same name are one unit, listed in the
order of NN. Each notebook becomes one page made with nbconvert from the
outputs stored in it (`execute=True` runs the lessons first):

    site/index.html                  the units in order, lesson and exercise side by side
    site/lessons/NN_topic.html       a lesson with its figures, animations and math
    site/exercises/NN_topic.html     the tasks and blanks, no outputs, no answers
    site/exercises/NN_topic.ipynb    the exercise notebook, to download
    site/static/                     the site's style sheet and MathJax 2.7

Every page links to the index and to the pages before and after it. Nothing
is loaded from outside the site: MathJax comes from the jupyter-server-mathjax
package and is copied in; anything a stored output would fetch from elsewhere
(a style sheet, a script, an image) is left out, and the icon font of
matplotlib's animations is replaced by plain characters. An explorer
(a widget) shows the ordinary figure stored beside it, since a page has no
kernel to move it. Every image gets alt text.
"""

import html
import os
import re
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import nbformat

from course.notebooks.cells import exercise_of, is_answer, source_of

TEMPLATES = Path(__file__).resolve().parent / "render_templates"
SITE_MARKER = ".course-site"  # marks a folder this module made, so it may be replaced
MATHJAX_CONFIG = "TeX-AMS-MML_HTMLorMML-full,Safe"
UNIT_FILE = re.compile(r"^(?P<number>\d{2})_(?P<topic>[A-Za-z0-9_-]+)\.ipynb$")
BLANKS = ("____", "raise NotImplementedError()")
NBCONVERT_ALT = "No description has been provided for this image"  # nbconvert's stand-in
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
IMAGE_TYPES = ("image/png", "image/jpeg", "image/svg+xml")


class RenderError(RuntimeError):
    """The site cannot be made; the message says which file and what to do."""


# --- The units and their pages -------------------------------------------------

@dataclass
class Page:
    kind: str            # "lesson" or "exercise"
    source: Path         # the notebook
    href: str            # its page, relative to the site: "lessons/00_topic.html"
    title: str           # from the notebook's first heading
    prev: "Page | None" = None
    next: "Page | None" = None

    @property
    def short_title(self):
        """The title without its unit number: "What is training?"."""
        return re.sub(r"^\d{2}\s*[·.:-]\s*", "", self.title) or self.title


@dataclass
class Unit:
    name: str            # "01_loss_and_cost"
    number: str          # "01"
    lesson: Page | None = None
    exercise: Page | None = None
    pages: list = field(default_factory=list)


def find_units(lessons_dir, exercises_dir):
    """The units, in order, from lessons/NN_topic.ipynb and exercises/NN_topic.ipynb."""
    units = {}
    for kind, folder in (("lesson", Path(lessons_dir)), ("exercise", Path(exercises_dir))):
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.ipynb")):
            match = UNIT_FILE.match(path.name)
            if not match:
                continue
            unit = units.setdefault(path.stem, Unit(path.stem, match["number"]))
            page = Page(kind, path, f"{kind}s/{path.stem}.html", _title_of(path))
            setattr(unit, kind, page)
    ordered = [units[name] for name in sorted(units, key=lambda n: (n[:2], n))]
    pages = []
    for unit in ordered:
        unit.pages = [p for p in (unit.lesson, unit.exercise) if p is not None]
        pages += unit.pages
    for before, after in zip(pages, pages[1:]):
        before.next, after.prev = after, before
    return ordered


def _title_of(path):
    """The text of the notebook's first heading, or one made from its file name."""
    try:
        notebook = nbformat.read(path, as_version=4)
    except Exception as error:  # nbformat raises many kinds; all mean "cannot read"
        raise RenderError(f"{path}: cannot be read as a notebook ({error}); "
                          f"fix or remove the file") from error
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            for line in source_of(cell).splitlines():
                if line.startswith("# "):
                    return _plain(line[2:])
    number, _, topic = path.stem.partition("_")
    return f"{number} · {topic.replace('_', ' ').capitalize()}"


def _plain(markdown):
    """A heading's text without markdown emphasis or code marks."""
    return re.sub(r"[*_`]", "", markdown).strip()


# --- Preparing a notebook for its page -----------------------------------------

def lesson_notebook(path, execute=False, timeout=120):
    """The lesson as a reader sees it: its stored outputs (or fresh ones), no live widgets."""
    notebook = nbformat.read(path, as_version=4)
    if execute:
        from nbclient import NotebookClient
        from nbclient.exceptions import CellExecutionError

        try:
            NotebookClient(notebook, timeout=timeout, kernel_name="python3",
                           resources={"metadata": {"path": str(path.parent)}}).execute()
        except CellExecutionError as error:
            raise RenderError(f"{path}: a cell failed while running it for --execute:\n"
                              f"{error}") from error
    notebook.metadata.pop("widgets", None)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = [out for out in map(_without_widget, cell.outputs) if out]
    _give_images_alt_text(notebook)
    return notebook


def _without_widget(output):
    """An output with its live widget view removed, or None when nothing else is left
    (the widget's text stand-in, "interactive(children=...)", tells a reader nothing)."""
    data = output.get("data", {})
    if WIDGET_VIEW not in data:
        return output
    del data[WIDGET_VIEW]
    return output if set(data) - {"text/plain"} else None


def exercise_notebook(path):
    """The exercise as a page shows it: tasks and blanks, no outputs (so no hint, no
    solution and no verdict); refused if an answer cell holds no blank."""
    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        if is_answer(cell) and not any(blank in source_of(cell) for blank in BLANKS):
            raise RenderError(
                f"{path}: the answer cell {cell.get('id', '')!r} of exercise "
                f"{exercise_of(cell)!r} holds no blank (____ or raise NotImplementedError()), "
                f"so its page would show the answer. Exercises are made from solutions/ "
                f"by `course build`; run it, then render again.")
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    notebook.metadata.pop("widgets", None)
    return notebook


def _give_images_alt_text(notebook):
    """Store alt text in each image output's metadata: the author's (`alt` in the
    output's or the cell's metadata), or one naming the section the figure is in."""
    heading, count = notebook.metadata.get("title", ""), 0
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            for line in source_of(cell).splitlines():
                if re.match(r"#{1,6} ", line):
                    heading, count = _plain(line.lstrip("#")), 0
            continue
        for output in cell.get("outputs", []):
            for mime in IMAGE_TYPES:
                if mime not in output.get("data", {}):
                    continue
                count += 1
                meta = output.setdefault("metadata", {}).setdefault(mime, {})
                meta["alt"] = (meta.get("alt") or cell.metadata.get("alt")
                               or f"Figure {count} of the section “{heading}”")


# --- One page ------------------------------------------------------------------

def _exporter():
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="course", extra_template_basedirs=[str(TEMPLATES)],
                            exclude_input_prompt=True, exclude_output_prompt=True)
    exporter.register_filter("with_alt", _with_alt)
    return exporter


def _with_alt(img_html, alt):
    """Put alt="..." into the <img> nbconvert wrote for an image output."""
    return re.sub(r"<img\b", f'<img alt="{html.escape(alt or "Figure", quote=True)}"',
                  str(img_html), count=1)


def page_html(exporter, notebook, page, units, static):
    """The HTML of one page: nbconvert's, with the site's navigation, MathJax from the
    site, and nothing from outside it."""
    up = "../" * page.href.count("/")
    unit = next(u for u in units if page in u.pages)
    resources = {
        "language_code": "en",
        "metadata": {"name": page.title},
        "course": {
            "up": up,
            "page": page,
            "static": static,
            "sibling": unit.exercise if page.kind == "lesson" else unit.lesson,
            "download": Path(page.href).with_suffix(".ipynb").name
                        if page.kind == "exercise" else None,
        },
    }
    exporter.mathjax_url = f"{up}{static}/mathjax/MathJax.js?config={MATHJAX_CONFIG}"
    notebook.metadata["title"] = f"{page.title} · course"
    body, _ = exporter.from_notebook_node(notebook, resources=resources)
    return keep_inside_site(body, page, units)


def keep_inside_site(page_source, page=None, units=()):
    """The page with everything that would load from outside the site left out, alt
    text on every image, and links to notebooks of the course pointed at their pages."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(page_source, "html.parser")
    for tag in soup.find_all(["link", "script", "img", "iframe", "embed", "source",
                              "video", "audio", "track", "object", "input"]):
        outside = [a for a in ("href", "src", "data", "poster")
                   if tag.get(a) and _is_outside(tag[a])]
        if outside:
            _leave_out(soup, tag, outside[0], tag[outside[0]])
        elif tag.get("srcset") and any(_is_outside(part.split()[0])
                                       for part in tag["srcset"].split(",") if part.strip()):
            del tag["srcset"]
    for style in soup.find_all("style"):
        style.string = _css_inside_site(style.get_text())
    for tag in soup.find_all(style=True):
        tag["style"] = _css_inside_site(tag["style"])
    _alt_for_remaining_images(soup)
    if page is not None:
        _link_notebooks_to_pages(soup, page, units)
    return str(soup)


def _is_outside(url):
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme in ("data", "blob", "about", "javascript") or url.startswith("#"):
        return False
    return bool(parts.scheme or parts.netloc)


def _leave_out(soup, tag, attribute, url):
    if tag.name in ("img", "iframe", "video", "audio", "object", "embed"):
        note = soup.new_tag("p", attrs={"class": "course-left-out"})
        note.string = "Left out of this page, which loads nothing from outside the site: "
        link = soup.new_tag("a", href=url)
        link.string = url
        note.append(link)
        tag.replace_with(note)
    elif tag.name in ("link", "script"):
        tag.decompose()
    else:
        del tag[attribute]


_CSS_IMPORT = re.compile(r"@import\s+(url\()?\s*['\"]?(?P<url>[^'\")\s;]+)[^;]*;", re.I)
_CSS_URL = re.compile(r"url\(\s*['\"]?(?P<url>[^'\")]+)['\"]?\s*\)", re.I)


def _css_inside_site(css):
    css = _CSS_IMPORT.sub(lambda m: "" if _is_outside(m["url"]) else m[0], css)
    return _CSS_URL.sub(lambda m: "none" if _is_outside(m["url"]) else m[0], css)


def _alt_for_remaining_images(soup):
    """Images written by stored HTML outputs (an animation's frame, say) that have no
    alt text get one naming the section they are in."""
    heading = ""
    for tag in soup.find_all(["h1", "h2", "h3", "h4", "h5", "h6", "img"]):
        if tag.name != "img":
            heading = tag.get_text(" ", strip=True).rstrip("¶").strip()
        elif tag.get("alt", NBCONVERT_ALT) == NBCONVERT_ALT:
            what = "Animation" if (tag.get("id") or "").startswith("_anim_img") else "Image"
            tag["alt"] = f"{what} in the section “{heading}”" if heading else what


def _link_notebooks_to_pages(soup, page, units):
    """A markdown link to another notebook of the course goes to that notebook's page."""
    pages = {p.source.resolve(): p for u in units for p in u.pages}
    here = Path(page.href).parent
    for anchor in soup.select("main a[href]"):
        href = anchor["href"]
        if _is_outside(href) or href.startswith("#") or anchor.has_attr("download"):
            continue
        path, _, fragment = href.partition("#")
        if not path.endswith(".ipynb"):
            continue
        target = pages.get((page.source.parent / path).resolve())
        if target is not None:
            relative = Path(os.path.relpath(target.href, here)).as_posix()
            anchor["href"] = relative + (f"#{fragment}" if fragment else "")


# --- The site ------------------------------------------------------------------

@dataclass
class Site:
    out: Path
    units: list
    pages: list
    seconds: float


def render_site(out="site", lessons_dir="lessons", exercises_dir="exercises",
                execute=False, timeout=120):
    """Write the whole site to `out` and return what was written."""
    start = time.monotonic()
    out = Path(out)
    units = find_units(lessons_dir, exercises_dir)
    if not units:
        raise RenderError(f"no notebooks named NN_topic.ipynb in {lessons_dir}/ or "
                          f"{exercises_dir}/: run `course render` from the course's folder, "
                          f"or pass --lessons and --exercises")
    _prepare_out(out)
    static = "static"
    _copy_static(out / static)
    exporter = _exporter()
    written = []
    for unit in units:
        for page in unit.pages:
            if page.kind == "lesson":
                notebook = lesson_notebook(page.source, execute=execute, timeout=timeout)
            else:
                notebook = exercise_notebook(page.source)
                target = out / Path(page.href).with_suffix(".ipynb")
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(page.source, target)
            path = out / page.href
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(page_html(exporter, notebook, page, units, static),
                            encoding="utf-8")
            written.append(path)
    (out / "index.html").write_text(index_html(units, static), encoding="utf-8")
    written.insert(0, out / "index.html")
    return Site(out, units, written, time.monotonic() - start)


def index_html(units, static="static"):
    """The index page: one row per unit, its lesson and its exercise side by side."""
    import jinja2

    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)),
                                     autoescape=True)
    return environment.get_template("site_index.html.j2").render(units=units, static=static)


def _prepare_out(out):
    """Empty `out` if this module made it; refuse a folder that holds anything else."""
    if out.exists():
        if not out.is_dir():
            raise RenderError(f"{out} is a file; pass --out with a folder for the site")
        if any(out.iterdir()) and not (out / SITE_MARKER).exists():
            raise RenderError(f"{out}/ is not empty and was not made by `course render`; "
                              f"choose another --out, or empty it first")
        shutil.rmtree(out)
    out.mkdir(parents=True)
    (out / SITE_MARKER).write_text("made by `course render`; replaced by the next run\n",
                                   encoding="utf-8")


def _copy_static(folder):
    """The site's style sheet and MathJax 2.7 (from the jupyter-server-mathjax package)."""
    try:
        import jupyter_server_mathjax
    except ImportError as error:
        raise RenderError("MathJax comes from the package jupyter-server-mathjax, which is "
                          "not installed: pip install jupyter-server-mathjax") from error
    mathjax = Path(jupyter_server_mathjax.__file__).resolve().parent / "static"
    shutil.copytree(mathjax, folder / "mathjax")
    shutil.copyfile(TEMPLATES / "site.css", folder / "site.css")
