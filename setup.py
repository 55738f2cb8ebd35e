"""Adam's compiled loop; everything else about the package is in pyproject.toml.

course/_adam_loop.pyx is Adam's update as one loop (course/_compiled.py says
why). Cython turns it into C and the C compiler into an extension module
when the course is installed. It is optional: without a C compiler the
install still succeeds, and numpy does the same work with the same numbers.

-fno-math-errno lets the compiler use the processor's vector square root;
-ffp-contract=off keeps a * b + c two roundings, exactly as numpy computes it;
-fno-fast-math undoes -Ofast or -ffast-math in the CFLAGS of the machine.
"""

from setuptools import Extension, setup

setup(ext_modules=[
    Extension("course._adam_loop", ["course/_adam_loop.pyx"], optional=True,
              extra_compile_args=["-fno-fast-math", "-fno-math-errno", "-ffp-contract=off"]),
])
