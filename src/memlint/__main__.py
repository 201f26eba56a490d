"""``python -m memlint``.

``python -m`` puts the working folder first on ``sys.path``: a checked project's own ``click.py`` or
``numpy.py`` would then be imported, and run, in place of the real one. memlint never runs the code it
checks, so that entry goes before anything else is imported (with ``-P`` or PYTHONSAFEPATH there is none).
"""

import os
import sys

if not getattr(sys.flags, "safe_path", False) and sys.path and sys.path[0] in ("", os.getcwd()):
    del sys.path[0]

from memlint.cli import main  # after the sys.path fix, which is the point

main()
