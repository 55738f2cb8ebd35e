"""course: learn how neural networks are trained, from the inside.

    import course
    model = course.Sequential([course.Dense(8, activation="relu", input_shape=(2,)),
                               course.Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, epochs=10)

Each submodule holds one idea: `losses`, `activations`, `initializers`,
`layers`, `models` (and its loop, `training`), `callbacks`, `metrics`,
`optimizers`, `gradcheck`, `data`, `checks`, and the pictures: `plots`
(matplotlib) and `widgets` (ipywidgets explorers). They are imported on first use,
so `import course` stays fast and never loads matplotlib or ipywidgets.
"""

import importlib

__version__ = "0.1.0"

_SUBMODULES = {
    "activations", "callbacks", "checks", "data", "gradcheck", "initializers", "layers",
    "losses", "metrics", "models", "optimizers", "plots", "training", "utils", "validation",
    "widgets",
}

# Names a student meets first, and the module each one lives in.
_SHORTCUTS = {
    "Sequential": "models",
    "History": "models",
    "Dense": "layers",
    "set_random_seed": "utils",
}

__all__ = sorted(_SUBMODULES | set(_SHORTCUTS))


def __getattr__(name):
    if name in _SUBMODULES:
        return importlib.import_module(f"course.{name}")
    if name in _SHORTCUTS:
        module = importlib.import_module(f"course.{_SHORTCUTS[name]}")
        return getattr(module, name)
    raise AttributeError(f"module 'course' has no attribute {name!r}")


def __dir__():
    return __all__
