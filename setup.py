"""The compiled loops; everything else about the package is in pyproject.toml.

course/_adam_loop.pyx is Adam's update as one loop, course/_dense_relu.pyx a
Dense layer's bias and relu in one pass each way (course/_compiled.py says
why). Cython turns them into C and the C compiler into extension modules
when the course is installed. They are optional: without a C compiler the
install still succeeds, and numpy does the same work with the same numbers.

-fno-math-errno lets the compiler use the processor's vector square root;
-ffp-contract=off keeps a * b + c two roundings, exactly as numpy computes it;
-fno-fast-math undoes -Ofast or -ffast-math in the CFLAGS of the machine.
"""

from setuptools import Extension, setup

FLAGS = ["-fno-fast-math", "-fno-math-errno", "-ffp-contract=off"]

setup(ext_modules=[
    Extension("course._adam_loop", ["course/_adam_loop.pyx"], optional=True,
              extra_compile_args=FLAGS),
    Extension("course._dense_relu", ["course/_dense_relu.pyx"], optional=True,
              extra_compile_args=FLAGS),
])
