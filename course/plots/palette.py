"""One colour for each thing the pictures show, the same in every figure of the course.

    from course.plots.palette import COLOURS, colour_for
    COLOURS["validation"]        # '#E69F00', orange, in every loss curve
    colour_for("Adam")           # '#56B4E9', sky blue, on every loss surface

The colours are Okabe and Ito's eight, chosen so that people with the common
kinds of colour blindness can still tell them apart (Okabe & Ito, "Color
Universal Design", 2008). Lines also differ by style or marker where two of
them meet in one picture, so a grey-scale print still reads.

This module imports nothing heavy: the widgets and the plots both use it.
"""

BLACK = "#000000"
ORANGE = "#E69F00"
SKY_BLUE = "#56B4E9"
BLUISH_GREEN = "#009E73"
YELLOW = "#F0E442"
BLUE = "#0072B2"
VERMILLION = "#D55E00"
REDDISH_PURPLE = "#CC79A7"
GREY = "#7F7F7F"

COLOURS = {
    # data and the curves measured on it
    "training": BLUE,
    "validation": ORANGE,
    # the optimizers, wherever they race
    "sgd": VERMILLION,
    "momentum": BLUISH_GREEN,
    "rmsprop": REDDISH_PURPLE,
    "adam": SKY_BLUE,
    # the model's answer, and the answer it is after
    "model": BLACK,
    "target": GREY,
    # the two classes of a binary problem (also told apart by marker)
    "class 0": BLUE,
    "class 1": VERMILLION,
    # the regression losses
    "mae": BLUISH_GREEN,
    "mse": BLUE,
    "huber": ORANGE,
    # something that went wrong: a diverged run, a wrong prediction
    "warning": VERMILLION,
}

# For lines with no colour of their own (several learning rates, say), in this
# order. Yellow comes last: it is hard to see on white.
CYCLE = (BLUE, ORANGE, BLUISH_GREEN, REDDISH_PURPLE, SKY_BLUE, VERMILLION, BLACK, YELLOW)

_ALIASES = {
    "train": "training", "loss": "training", "training loss": "training",
    "valid": "validation", "val": "validation", "val_loss": "validation",
    "validation loss": "validation",
    "gradient descent": "sgd", "sgd with momentum": "momentum",
    "l1": "mae", "l2": "mse",
}


def colour_for(name, index=0):
    """The course's colour for `name`, or the index-th colour of CYCLE if it has none.

    name: "training", "validation", an optimizer ("sgd", "momentum",
        "rmsprop", "adam"), ... in any case; a label that starts with an
        optimizer's name ("Adam, lr 0.1") gets that optimizer's colour.
    index: which colour of CYCLE to use for a name the palette does not know.
    """
    key = str(name).strip().lower()
    key = _ALIASES.get(key, key)
    if key in COLOURS:
        return COLOURS[key]
    for optimizer in ("momentum", "rmsprop", "adam", "sgd"):  # "sgd with momentum" first
        if key.startswith(optimizer) or key.startswith("sgd with " + optimizer):
            return COLOURS[optimizer]
    if key.startswith("gradient descent"):
        return COLOURS["sgd"]
    return CYCLE[index % len(CYCLE)]
