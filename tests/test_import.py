"""`import course` is light: the heavy libraries load only when asked for."""

import subprocess
import sys

HEAVY = ("matplotlib", "ipywidgets", "tqdm", "pooch", "requests", "nbformat", "nbclient")


def modules_loaded_after(code):
    """The set of module names in sys.modules after running `code` in a fresh Python."""
    script = f"import sys\n{code}\nprint(' '.join(sys.modules))"
    result = subprocess.run([sys.executable, "-c", script], capture_output=True,
                            text=True, check=True)
    return set(result.stdout.split())


def test_import_course_loads_no_heavy_library():
    loaded = modules_loaded_after("import course")
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))


def test_training_a_model_loads_no_plotting_widgets_or_download_library():
    loaded = modules_loaded_after(
        "import numpy as np, course\n"
        "model = course.Sequential([course.Dense(1, input_shape=(2,))])\n"
        "model.compile(optimizer='adam', loss='mse')\n"
        "model.fit(np.zeros((4, 2)), np.zeros(4), verbose=0)\n"
        "course.losses, course.optimizers, course.callbacks, course.gradcheck")
    assert not loaded & {"matplotlib", "ipywidgets", "pooch", "requests"}


def test_every_advertised_submodule_imports():
    import course

    for name in dir(course):
        assert getattr(course, name) is not None, name
