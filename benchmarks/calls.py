"""How many functions of the course library does one training step call?

    python benchmarks/calls.py           # the two counts
    python benchmarks/calls.py --list    # and the functions themselves, by module

A student who follows one step of `fit` through the code reads every
function it calls, so fewer of them means a shorter read. This script
trains the networks of benchmarks/training.py, (b) 64-25-15-1 sigmoid and
(a) 11-512-512-512-1 relu, for two epochs, and watches with
`sys.setprofile` every call of a Python function defined in the `course`
package while `train_step` runs. It prints, for a step after the first (the
first update of a fit also checks that the optimizer changes the weights,
once), the number of distinct functions called, methods and properties
included, and in how many modules they live.

Targets: at most 24 for (b) and 28 for (a) (35 and 41 before the library
was made to read like the lesson).
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from training import CASES, course_training, make_data  # noqa: E402

TARGETS = {"b": 24, "a": 28}


def steps_called(case):
    """For every train_step of a two-epoch fit, the set of course functions it called."""
    import course

    package = os.path.dirname(os.path.abspath(course.__file__)) + os.sep
    x, y = make_data(case)
    work = course_training(_with_epochs(case, 2), x, y)()
    steps, current, depth = [], None, [0]

    def profile(frame, event, arg):
        nonlocal current
        if event not in ("call", "return"):
            return
        code = frame.f_code
        if not code.co_filename.startswith(package):
            return
        if event == "call":
            if current is None and code.co_name == "train_step":
                current = set()
                depth[0] = 0
            if current is not None:
                depth[0] += 1
                current.add((os.path.relpath(code.co_filename, package),
                             code.co_firstlineno, code.co_qualname))
        elif current is not None:
            depth[0] -= 1
            if depth[0] == 0:
                steps.append(current)
                current = None

    sys.setprofile(profile)
    try:
        work()
    finally:
        sys.setprofile(None)
    return steps


def _with_epochs(case, epochs):
    return type(case)(**{**case.__dict__, "epochs": epochs})


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--list", action="store_true", help="list the functions too")
    args = parser.parse_args(argv)
    cases = {case.key: case for case in CASES}
    met = True
    for key in ("b", "a"):
        case = cases[key]
        steps = steps_called(case)
        later = steps[1:]
        functions = max(later, key=len)
        modules = {module for module, _, _ in functions}
        first_extra = len(steps[0] - functions)
        target = TARGETS[key]
        met &= len(functions) <= target
        print(f"({key}) {case.title}: {len(functions)} distinct functions in "
              f"{len(modules)} modules per step (target: at most {target}); "
              f"the first step of a fit calls {first_extra} more.")
        if args.list:
            for module, line, name in sorted(functions):
                print(f"      {module}:{line} {name}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
