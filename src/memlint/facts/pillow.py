"""Pillow images: the dtype and number of dimensions of ``np.array(image)`` follow the image's mode.

Measured with Pillow 13.0.0 (``np.asarray(Image.new(mode, (3, 2)))``): the array is read-only when made by
``np.asarray`` (it wraps the image's bytes), a new writeable one by ``np.array``. A mode not listed here
(``I;16B`` is big-endian) gives nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

if TYPE_CHECKING:
    import numpy

# mode -> (dtype, ndim) of the array
MODES = {
    "1": ("bool", 2),
    "L": ("uint8", 2),
    "P": ("uint8", 2),
    "I": ("int32", 2),
    "F": ("float32", 2),
    "I;16": ("uint16", 2),
    "I;16L": ("uint16", 2),
    "LA": ("uint8", 3),
    "La": ("uint8", 3),
    "PA": ("uint8", 3),
    "RGB": ("uint8", 3),
    "RGBA": ("uint8", 3),
    "RGBa": ("uint8", 3),
    "RGBX": ("uint8", 3),
    "CMYK": ("uint8", 3),
    "YCbCr": ("uint8", 3),
    "LAB": ("uint8", 3),
    "HSV": ("uint8", 3),
}
# Functions whose result has the mode of their first image, or which raise (measured for every mode above).
SAME_MODE_FUNCTIONS = frozenset(
    "PIL.ImageChops." + name
    for name in (
        "difference", "add", "subtract", "multiply", "screen", "lighter", "darker", "add_modulo",
        "subtract_modulo", "invert", "overlay", "soft_light", "hard_light",
    )
)  # fmt: skip
# ``ImageEnhance.Brightness(image).enhance(factor)`` (and the others) keeps the image's mode, or raises.
ENHANCERS = frozenset("PIL.ImageEnhance." + name for name in ("Brightness", "Contrast", "Color", "Sharpness"))
# Image methods whose result keeps the image's mode.
SAME_MODE_METHODS = frozenset({"resize", "crop", "rotate", "transpose", "filter", "copy", "reduce", "thumbnail"})


def mode_array(mode: object) -> tuple[Optional[numpy.dtype[Any]], Optional[int]]:
    """(numpy dtype, ndim) of an image of this mode as an array, or (None, None)."""
    if not isinstance(mode, str) or mode not in MODES:
        return None, None
    import numpy

    dtype, ndim = MODES[mode]
    return numpy.dtype(dtype), ndim
