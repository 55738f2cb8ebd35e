"""How fast the course's pictures are drawn: each figure, the SGD animation, the explorers.

    .venv/bin/python benchmarks/plots.py [--runs 5] [--quick]

Each static figure is timed from the call to its finished PNG (what a
notebook waits for), as the median of --runs runs after a warm-up. The
animation is timed from animate_sgd to its finished HTML player (50 steps),
and as a GIF. The explorers are timed building (first picture) and redrawing
after one slider move. `import course` is timed in fresh processes, and
checked to load neither matplotlib nor ipywidgets.

Targets on a 2-core machine: every static figure under 1 s; the 50-step
animation under 10 s; `import course` as light as before (no matplotlib).
"""

import argparse
import io
import os
import statistics
import subprocess
import sys
import time

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import course  # noqa: E402
from course.data import (load_digits01, make_noisy_line, make_ravine,  # noqa: E402
                         make_rosenbrock, make_two_blobs)
from course.optimizers import SGD, Adam, RMSprop, minimize  # noqa: E402
from course.plots import (LivePlot, animate_sgd, plot_decision_boundary,  # noqa: E402
                          plot_digits, plot_history, plot_line_fit, plot_log_loss,
                          plot_loss_surface, plot_regression_losses)


def median_seconds(work, runs):
    work()                                   # warm-up: fonts, caches, first imports
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times), max(times)


def png_of(drawn):
    figure = drawn if hasattr(drawn, "savefig") else drawn.figure
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    plt.close(figure)
    return len(buffer.getvalue())


def static_figures():
    """name -> a function that draws one figure and returns it."""
    course.set_random_seed(0)
    x, y = make_noisy_line(seed=0)
    model = course.Sequential([course.Dense(1, input_shape=(1,))])
    model.compile(optimizer=SGD(learning_rate=0.05), loss="mse", metrics=["mae"])
    history = model.fit(x[:, None], y, epochs=50, batch_size=10, validation_split=0.2,
                        verbose=0)
    ravine, valley = make_ravine(), make_rosenbrock()
    race = {name: minimize(ravine.gradient, ravine.start, optimizer, steps=60)
            for name, optimizer in (("sgd", SGD(0.05)), ("momentum", SGD(0.05, momentum=0.9)),
                                    ("rmsprop", RMSprop(0.1)), ("adam", Adam(0.3)))}
    banana = {name: minimize(valley.gradient, valley.start, optimizer, steps=500)
              for name, optimizer in (("sgd", SGD(0.001)), ("adam", Adam(0.05)))}
    blobs_x, blobs_y = make_two_blobs(seed=0)
    classifier = course.Sequential([course.Dense(1, activation="sigmoid", input_shape=(2,))])
    classifier.compile(optimizer=Adam(0.05), loss="binary_crossentropy")
    classifier.fit(blobs_x, blobs_y, epochs=20, verbose=0)
    digits, labels, _ = load_digits01()
    return {
        "plot_history": lambda: plot_history(history),
        "plot_history, metrics": lambda: plot_history(history, metrics=True),
        "plot_log_loss": plot_log_loss,
        "plot_regression_losses": plot_regression_losses,
        "plot_loss_surface, ravine race": lambda: plot_loss_surface(ravine, race),
        "plot_loss_surface, Rosenbrock": lambda: plot_loss_surface(valley, banana),
        "plot_line_fit": lambda: plot_line_fit(x, y, {"start": (0, 0), "end": (2, 1)}),
        "plot_decision_boundary": lambda: plot_decision_boundary(classifier, blobs_x, blobs_y),
        "plot_digits, 40": lambda: plot_digits(digits[:40], labels[:40]),
    }


def time_static(runs):
    print(f"{'static figure (call to PNG)':34} {'median s':>9} {'max s':>7} {'PNG KB':>7}  "
          f"target < 1 s")
    for name, draw in static_figures().items():
        sizes = []
        median, worst = median_seconds(lambda: sizes.append(png_of(draw())), runs)
        verdict = "ok" if median < 1 else "SLOW"
        print(f"{name:34} {median:9.3f} {worst:7.3f} {sizes[-1] / 1024:7.0f}  {verdict}")


def time_animation(runs):
    x, y = make_noisy_line(seed=0)
    html = {}

    def build():
        html["text"] = animate_sgd(x, y, batch_size=10, learning_rate=0.1,
                                   epochs=10).to_jshtml()

    median, worst = median_seconds(build, runs)
    frames = html["text"].count("data:image/png;base64")
    size = len(html["text"].encode()) / 2 ** 20
    verdict = "ok" if median < 10 and size < 5 else "SLOW OR LARGE"
    print(f"\n{'animate_sgd, 50 steps':34} {'median s':>9} {'max s':>7} {'MB':>7}")
    print(f"{'  to HTML (jshtml, embedded)':34} {median:9.3f} {worst:7.3f} {size:7.2f}  "
          f"{frames} frames, target < 10 s and < 5 MB: {verdict}")

    def gif():
        buffer_path = os.path.join(os.environ.get("TMPDIR", "/tmp"), "course-benchmark.gif")
        animate_sgd(x, y, batch_size=10, learning_rate=0.1, epochs=10).save_gif(buffer_path)
        html["gif"] = os.path.getsize(buffer_path)
        os.remove(buffer_path)

    median, worst = median_seconds(gif, max(1, runs // 2))
    print(f"{'  to GIF (pillow)':34} {median:9.3f} {worst:7.3f} {html['gif'] / 2 ** 20:7.2f}")


def time_explorers(runs):
    from course.widgets import adam_explorer, batch_size_explorer, learning_rate_explorer

    print(f"\n{'explorer':34} {'build s':>9} {'redraw s':>9}  (one slider move)")
    moves = {
        "learning_rate_explorer": (learning_rate_explorer, "learning_rate", (0.1, 0.01)),
        "batch_size_explorer": (batch_size_explorer, "batch_size", (1, 10)),
        "adam_explorer": (adam_explorer, "beta_1", (0.5, 0.9)),
    }
    for name, (make, control, values) in moves.items():
        build, _ = median_seconds(make, max(1, runs // 2))
        explorer = make()
        turn = iter(values * (runs + 1))
        redraw, _ = median_seconds(
            lambda: setattr(getattr(explorer, control), "value", next(turn)), runs)
        print(f"{name:34} {build:9.3f} {redraw:9.3f}")


def time_liveplot():
    """What LivePlot adds to fit outside a notebook (it draws once, at the end)."""
    x, y = make_noisy_line(seed=0)

    def fit(callbacks):
        course.set_random_seed(0)
        model = course.Sequential([course.Dense(1, input_shape=(1,))])
        model.compile(optimizer="sgd", loss="mse")
        start = time.perf_counter()
        model.fit(x[:, None], y, epochs=100, batch_size=10, verbose=0,
                  validation_split=0.2, callbacks=callbacks)
        return time.perf_counter() - start

    fit([])
    plain, live = fit([]), fit([LivePlot()])
    print(f"\n{'fit, 100 epochs, in a script':34} {plain:9.3f} s alone, {live:.3f} s with "
          f"LivePlot()")


def time_import(runs):
    script = ("import sys, time; start = time.perf_counter(); import course; "
              "took = time.perf_counter() - start; "
              "print(took, 'matplotlib' in sys.modules, 'ipywidgets' in sys.modules)")
    results = [subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                              check=True).stdout.split() for _ in range(runs)]
    took = statistics.median(float(result[0]) for result in results)
    heavy = any(result[1] == "True" or result[2] == "True" for result in results)
    print(f"\n{'import course (fresh process)':34} {took * 1000:9.1f} ms, matplotlib or "
          f"ipywidgets loaded: {'YES' if heavy else 'no'}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="timed runs per figure")
    parser.add_argument("--quick", action="store_true", help="one run each, rough figures")
    args = parser.parse_args()
    runs = 1 if args.quick else max(1, args.runs)
    print(f"matplotlib {matplotlib.__version__}, numpy {np.__version__}, Python "
          f"{sys.version.split()[0]}, {os.cpu_count()} CPUs")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    if load > 0.5:
        print(f"load average {load:.1f}: other programs are running, the figures swing")
    print()
    time_static(runs)
    time_animation(max(1, runs // 2))
    time_explorers(runs)
    time_liveplot()
    time_import(max(3, runs))


if __name__ == "__main__":
    main()
