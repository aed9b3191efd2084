"""The frozen program's entry point (PyInstaller runs this as __main__)."""

import multiprocessing
import sys

from doorcheck.cli import main

if __name__ == "__main__":
    # `doorcheck serve --workers N` starts worker processes: frozen, they re-enter here.
    multiprocessing.freeze_support()
    sys.exit(main())
