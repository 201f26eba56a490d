"""memlint: find and fix memory antipatterns in Python and NumPy code."""

__version__ = "0.1.0"
