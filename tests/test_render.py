"""`course render`: the reader's pages, made from the files present, with nothing
loaded from outside the site. (tests/test_browser.py opens them in a browser.)"""

import base64
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

import nbformat
import pytest
from bs4 import BeautifulSoup
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from course.notebooks.render import RenderError, find_units, render_site

ROOT = Path(__file__).resolve().parent.parent
LESSONS = sorted((ROOT / "lessons").glob("[0-9][0-9]_*.ipynb"))
EXERCISES = sorted((ROOT / "exercises").glob("[0-9][0-9]_*.ipynb"))
PNG = base64.b64encode(
    bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                  "1f15c4890000000d49444154789c63f8ffff3f0005fe02fea7d6a4520000"
                  "000049454e44ae426082")).decode()
LOADS = {"script": "src", "link": "href", "img": "src", "iframe": "src", "source": "src",
         "video": "src", "audio": "src", "embed": "src", "object": "data"}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The whole course, rendered once for the tests of this module."""
    return render_site(tmp_path_factory.mktemp("render") / "site",
                       ROOT / "lessons", ROOT / "exercises")


def soup_of(path):
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def write_notebook(path, cells, **metadata):
    path.parent.mkdir(parents=True, exist_ok=True)
    notebook = new_notebook(cells=cells, metadata={
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        **metadata})
    nbformat.write(notebook, path)
    return path


def lesson_with_outputs(path, outputs, title="# 01 · A made-up lesson", **metadata):
    cell = new_code_cell("show()", outputs=outputs)
    return write_notebook(path, [new_markdown_cell(f"{title}\n\nWords.\n\n## A section"),
                                 cell], **metadata)


# --- Units come from the files present ----------------------------------------------

def test_units_are_paired_by_name_and_ordered_by_number(tmp_path):
    for name in ("02_two", "01_one", "10_ten"):
        write_notebook(tmp_path / "lessons" / f"{name}.ipynb",
                       [new_markdown_cell(f"# {name[:2]} · Lesson {name[3:]}")])
    for name in ("01_one", "03_three"):
        write_notebook(tmp_path / "exercises" / f"{name}.ipynb",
                       [new_markdown_cell(f"# {name[:2]} · Exercise {name[3:]}")])
    write_notebook(tmp_path / "lessons" / "notes.ipynb", [])  # not NN_topic: not a unit

    units = find_units(tmp_path / "lessons", tmp_path / "exercises")

    assert [u.name for u in units] == ["01_one", "02_two", "03_three", "10_ten"]
    assert units[0].lesson.title == "01 · Lesson one"
    assert units[0].exercise.title == "01 · Exercise one"
    assert units[1].exercise is None and units[2].lesson is None
    pages = [p for u in units for p in u.pages]
    assert [p.href for p in pages] == [
        "lessons/01_one.html", "exercises/01_one.html", "lessons/02_two.html",
        "exercises/03_three.html", "lessons/10_ten.html"]
    assert pages[0].prev is None and pages[-1].next is None
    assert all(a.next is b and b.prev is a for a, b in zip(pages, pages[1:]))


def test_every_lesson_and_exercise_of_the_course_has_a_page(site):
    rendered = {p.relative_to(site.out).as_posix() for p in site.pages}
    expected = ({f"lessons/{p.stem}.html" for p in LESSONS}
                | {f"exercises/{p.stem}.html" for p in EXERCISES} | {"index.html"})
    assert rendered == expected
    assert all((site.out / page).is_file() for page in expected)


def test_the_index_lists_the_units_in_order_lesson_and_exercise_side_by_side(site):
    rows = soup_of(site.out / "index.html").select("table.course-units tbody tr")
    names = sorted({p.stem for p in LESSONS + EXERCISES})
    assert [row.th.get_text(strip=True) for row in rows] == [n[:2] for n in names]
    for row, name in zip(rows, names):
        lesson, exercise = row.find_all("td")
        assert bool(lesson.a) == (ROOT / "lessons" / f"{name}.ipynb").is_file()
        assert bool(exercise.a) == (ROOT / "exercises" / f"{name}.ipynb").is_file()
        if lesson.a:
            assert lesson.a["href"] == f"lessons/{name}.html"
        if exercise.a:
            assert exercise.a["href"] == f"exercises/{name}.html"


def test_every_page_links_to_the_index_and_its_neighbours(site):
    pages = [p for u in site.units for p in u.pages]
    for page in pages:
        soup = soup_of(site.out / page.href)
        here = (site.out / page.href).parent
        targets = {(here / a["href"]).resolve() for a in soup.find_all("a", href=True)
                   if not a["href"].startswith("#")}
        assert (site.out / "index.html").resolve() in targets, page.href
        for neighbour in (page.prev, page.next):
            if neighbour is not None:
                assert (site.out / neighbour.href).resolve() in targets, page.href
        rel = {a["rel"][0]: a["href"] for a in soup.select("header a[rel]")}
        assert ("prev" in rel) == (page.prev is not None)
        assert ("next" in rel) == (page.next is not None)


def test_every_link_and_resource_inside_the_site_exists(site):
    for page in site.pages:
        soup = soup_of(page)
        for tag in soup.find_all(["a", *LOADS]):
            url = tag.get("href") or tag.get(LOADS.get(tag.name, "src"))
            if not url or url.startswith(("#", "data:")) or urlsplit(url).scheme:
                continue
            target = page.parent / unquote(urlsplit(url).path)
            assert target.exists(), f"{page.relative_to(site.out)} links to missing {url}"


# --- Nothing from outside the site ----------------------------------------------------

def test_no_page_loads_anything_from_outside_the_site(site):
    for page in site.pages:
        soup = soup_of(page)
        for tag, attribute in LOADS.items():
            for element in soup.find_all(tag):
                url = element.get(attribute, "")
                assert not re.match(r"^([a-z]+:)?//", url, re.I) or url.startswith("data:"), \
                    f"{page.name} loads {url}"
        for style in soup.find_all("style"):
            assert not re.search(r"url\(\s*['\"]?(https?:)?//", style.get_text(), re.I)


def test_math_comes_from_the_copy_of_mathjax_in_the_site(site):
    lesson = site.out / "lessons" / f"{LESSONS[0].stem}.html"
    scripts = [s["src"] for s in soup_of(lesson).find_all("script", src=True)]
    assert any(s.startswith("../static/mathjax/MathJax.js?config=") for s in scripts)
    assert (site.out / "static" / "mathjax" / "MathJax.js").is_file()
    assert (site.out / "static" / "mathjax" / "config" / "TeX-AMS-MML_HTMLorMML-full.js").is_file()


def test_links_scripts_images_and_fonts_from_elsewhere_in_stored_outputs_are_left_out(tmp_path):
    html = """<link rel="stylesheet" href="https://cdn.example.org/font-awesome.css">
<style>@import url("https://fonts.example.org/a.css"); .x { background: url(//cdn.example.org/b.png) }</style>
<script src="https://cdn.example.org/lib.js"></script>
<img src="http://example.org/picture.png">
<p style="background-image: url('https://example.org/c.png')">text</p>
<img src="data:image/png;base64,PNG"><a href="https://example.org/read-more">read more</a>
""".replace("PNG", PNG)
    lesson_with_outputs(tmp_path / "lessons" / "01_made.ipynb",
                        [new_output("display_data", data={"text/html": html})])

    site = render_site(tmp_path / "site", tmp_path / "lessons", tmp_path / "exercises")

    page = (site.out / "lessons" / "01_made.html").read_text(encoding="utf-8")
    for url in ("cdn.example.org", "fonts.example.org", "example.org/c.png"):
        assert url not in page
    assert 'href="https://example.org/picture.png"' not in page
    assert "Left out of this page" in page and "http://example.org/picture.png" in page
    assert 'href="https://example.org/read-more"' in page  # a link to follow loads nothing
    assert f"data:image/png;base64,{PNG}" in page


def test_an_animation_keeps_its_controls_without_the_icon_font_from_a_cdn(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.animation import FuncAnimation

    fig, ax = plt.subplots(figsize=(2, 1.5), dpi=40)
    (line,) = ax.plot([0, 1], [0, 0])
    animation = FuncAnimation(fig, lambda k: line.set_ydata([0, k]), frames=3)
    jshtml = animation.to_jshtml()
    plt.close(fig)
    assert "font-awesome" in jshtml  # what matplotlib writes, and the site must not load
    lesson_with_outputs(tmp_path / "lessons" / "01_anim.ipynb",
                        [new_output("display_data", data={"text/html": jshtml})])

    site = render_site(tmp_path / "site", tmp_path / "lessons", tmp_path / "exercises")

    soup = soup_of(site.out / "lessons" / "01_anim.html")
    assert "font-awesome" not in str(soup)
    assert soup.select(".anim-buttons button i.fa-play")
    frame = soup.select_one("img[id^=_anim_img]")
    assert frame["alt"] == "Animation in the section “A section”"
    css = (site.out / "static" / "site.css").read_text(encoding="utf-8")
    assert ".anim-buttons .fa-play::before" in css


# --- What a page shows ----------------------------------------------------------------

def test_pages_declare_english_and_every_image_has_alt_text(site):
    for page in site.pages:
        soup = soup_of(page)
        assert soup.html["lang"] == "en", page.name
        assert soup.title and soup.title.get_text(strip=True), page.name
        for image in soup.find_all("img"):
            assert image.get("alt", "").strip(), f"{page.name}: an image without alt text"


def test_headings_go_in_order(site):
    for page in site.pages:
        levels = [int(h.name[1]) for h in soup_of(page).find_all(re.compile(r"^h[1-6]$"))]
        assert levels and levels[0] == 1, page.name
        for before, after in zip(levels, levels[1:]):
            assert after <= before + 1, f"{page.name}: h{before} followed by h{after}"


def test_alt_text_is_the_authors_when_given_and_names_the_section_otherwise(tmp_path):
    outputs = [new_output("display_data", data={"image/png": PNG, "text/plain": "<Figure>"}),
               new_output("display_data", data={"image/png": PNG},
                          metadata={"image/png": {"alt": "The cost falls, then levels off"}}),
               new_output("display_data", data={"image/svg+xml": "<svg xmlns="
                          "'http://www.w3.org/2000/svg' width='4' height='4'></svg>"})]
    lesson_with_outputs(tmp_path / "lessons" / "01_alt.ipynb", outputs)

    site = render_site(tmp_path / "site", tmp_path / "lessons", tmp_path / "exercises")

    alts = [img["alt"] for img in soup_of(site.out / "lessons/01_alt.html").find_all("img")]
    assert alts == ["Figure 1 of the section “A section”", "The cost falls, then levels off",
                    "Figure 3 of the section “A section”"]


def test_a_lesson_shows_its_stored_figures(site):
    for lesson in LESSONS:
        notebook = nbformat.read(lesson, as_version=4)
        stored = sum("image/png" in out.get("data", {})
                     for cell in notebook.cells for out in cell.get("outputs", []))
        shown = soup_of(site.out / "lessons" / f"{lesson.stem}.html").select(
            ".jp-RenderedImage img[src^='data:image/png']")
        assert len(shown) == stored, lesson.name


def test_an_explorer_shows_its_stored_default_figure_not_a_dead_widget(tmp_path):
    view = {"version_major": 2, "version_minor": 0, "model_id": "abc123"}
    outputs = [new_output("display_data", data={
                   "application/vnd.jupyter.widget-view+json": view,
                   "text/plain": "interactive(children=(FloatSlider(value=0.1),))"}),
               new_output("display_data", data={"image/png": PNG, "text/plain": "<Figure>"})]
    lesson_with_outputs(tmp_path / "lessons" / "01_explorer.ipynb", outputs,
                        widgets={"application/vnd.jupyter.widget-state+json": {
                            "version_major": 2, "version_minor": 0, "state": {}}})

    site = render_site(tmp_path / "site", tmp_path / "lessons", tmp_path / "exercises")

    page = (site.out / "lessons" / "01_explorer.html").read_text(encoding="utf-8")
    assert "widget-view+json" not in page and "widget-state+json" not in page
    assert "interactive(children" not in page
    assert f"data:image/png;base64,{PNG}" in page


def test_exercise_pages_show_tasks_and_blanks_and_no_output(site):
    for exercise in EXERCISES:
        soup = soup_of(site.out / "exercises" / f"{exercise.stem}.html")
        assert "____" in soup.get_text() or "NotImplementedError" in soup.get_text()
        assert not soup.select(".jp-OutputArea-output"), exercise.name
        text = soup.select_one("main").get_text()
        assert not re.search(r"[✓✗○] \w+: (correct|incorrect|not attempted)", text)
        assert "Hint 1 of" not in text, exercise.name


def test_exercise_pages_link_to_the_notebook_copied_into_the_site(site):
    for exercise in EXERCISES:
        soup = soup_of(site.out / "exercises" / f"{exercise.stem}.html")
        download = soup.find("a", href=f"{exercise.stem}.ipynb")
        assert download is not None and download.has_attr("download")
        copy = site.out / "exercises" / f"{exercise.stem}.ipynb"
        assert copy.read_bytes() == exercise.read_bytes()


def test_an_exercise_whose_answer_is_filled_in_is_refused(tmp_path):
    solutions = sorted((ROOT / "solutions").glob("[0-9][0-9]_*.ipynb"))
    exercises = tmp_path / "exercises"
    exercises.mkdir()
    shutil.copy(solutions[0], exercises / solutions[0].name)

    with pytest.raises(RenderError, match=r"holds no blank .*`course build`"):
        render_site(tmp_path / "site", tmp_path / "lessons", exercises)
    assert not (tmp_path / "site" / "exercises").exists()


def test_a_markdown_link_to_another_notebook_goes_to_its_page(tmp_path):
    write_notebook(tmp_path / "lessons" / "01_a.ipynb", [new_markdown_cell(
        "# 01 · A\n\nDo [the exercise](../exercises/01_a.ipynb#Exercise-1) "
        "and read [the next lesson](02_b.ipynb).")])
    write_notebook(tmp_path / "lessons" / "02_b.ipynb", [new_markdown_cell("# 02 · B")])
    write_notebook(tmp_path / "exercises" / "01_a.ipynb", [new_markdown_cell("# 01 · A")])

    site = render_site(tmp_path / "site", tmp_path / "lessons", tmp_path / "exercises")

    hrefs = [a["href"] for a in soup_of(site.out / "lessons/01_a.html").select("main a")]
    assert "../exercises/01_a.html#Exercise-1" in hrefs and "02_b.html" in hrefs


# --- The command -----------------------------------------------------------------------

def test_python_m_course_render_writes_the_site_and_says_how_long_it_took(tmp_path):
    write_notebook(tmp_path / "lessons" / "01_one.ipynb", [new_markdown_cell("# 01 · One")])
    out = tmp_path / "pages"
    command = [sys.executable, "-m", "course", "render", "--out", str(out)]
    result = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert re.search(r"Rendered 1 unit\(s\), 2 page\(s\) in [\d.]+ s", result.stdout)
    assert (out / "index.html").is_file() and (out / "lessons" / "01_one.html").is_file()

    # A second run replaces the site it made.
    (out / "lessons" / "stale.html").write_text("old", encoding="utf-8")
    again = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0 and not (out / "lessons" / "stale.html").exists()


def test_render_refuses_to_empty_a_folder_it_did_not_make(tmp_path):
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(RenderError, match="not empty and was not made by `course render`"):
        render_site(tmp_path, ROOT / "lessons", ROOT / "exercises")
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_render_without_notebooks_says_where_it_looked(tmp_path):
    result = subprocess.run([sys.executable, "-m", "course", "render", "--out",
                             str(tmp_path / "site")], cwd=tmp_path,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "no notebooks named NN_topic.ipynb in lessons/ or exercises/" in result.stderr


def test_execute_runs_the_lessons_before_rendering(tmp_path):
    write_notebook(tmp_path / "lessons" / "01_run.ipynb", [
        new_markdown_cell("# 01 · Run"), new_code_cell("print(6 * 7)")])

    site = render_site(tmp_path / "site", tmp_path / "lessons", tmp_path / "exercises",
                       execute=True, timeout=60)

    assert "42" in soup_of(site.out / "lessons" / "01_run.html").select_one(
        ".jp-OutputArea").get_text()


# --- Where a student starts -----------------------------------------------------------

def test_the_start_page_says_where_to_begin_and_its_links_exist():
    start = nbformat.read(ROOT / "START.ipynb", as_version=4)
    text = "\n".join(cell.source for cell in start.cells)
    links = re.findall(r"\]\(([^)#]+)", text)
    assert links and LESSONS[0].relative_to(ROOT).as_posix() in links
    for link in links:
        assert (ROOT / link).is_file(), f"START.ipynb links to missing {link}"
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "--LabApp.default_url=/lab/tree/START.ipynb" in makefile


def test_the_shipped_lab_settings_switch_off_news_update_checks_and_the_kernel_dialog():
    """The keys must be real settings of JupyterLab's plugins: a typo would be
    ignored silently, and the pop-up would come back."""
    overrides = json.loads((ROOT / "jupyter" / "overrides.json").read_text(encoding="utf-8"))
    expected = {
        ("apputils-extension", "notification"): {"fetchNews": "false", "checkForUpdates": False},
        ("notebook-extension", "tracker"): {"autoStartDefaultKernel": True},
    }
    assert set(overrides) == {f"@jupyterlab/{ext}:{plugin}" for ext, plugin in expected}
    schemas = Path(sys.prefix) / "share" / "jupyter" / "lab" / "schemas" / "@jupyterlab"
    if not schemas.is_dir():
        pytest.skip(f"JupyterLab's settings schemas are not at {schemas}")
    for (extension, plugin), settings in expected.items():
        assert overrides[f"@jupyterlab/{extension}:{plugin}"] == settings
        schema = json.loads((schemas / extension / f"{plugin}.json").read_text(
            encoding="utf-8"))["properties"]
        assert set(settings) <= set(schema), (extension, plugin)
    fetch_news = json.loads((schemas / "apputils-extension" / "notification.json").read_text(
        encoding="utf-8"))["properties"]["fetchNews"]
    assert {"const": "false", "title": "Never"} in fetch_news["oneOf"]
