"""The one compiled part: detectors/_hotloops.pyx (see detectors/hotloops.py).

Optional: where it cannot be built (no C compiler or Python headers) the install goes on
and the detector runs the same loops in pure Python, with the same results.
"""

from setuptools import Extension, setup

try:
    from Cython.Build import cythonize
except ImportError:  # a build without Cython (it is in pyproject's build requirements)
    ext_modules = []
else:
    ext_modules = cythonize(
        # no contraction of a*b+c into one fused step: the pure-Python results, bit for bit
        [Extension("detectors._hotloops", ["detectors/_hotloops.pyx"], extra_compile_args=["-ffp-contract=off"],
                   optional=True)],
        language_level=3,
    )

setup(ext_modules=ext_modules)
