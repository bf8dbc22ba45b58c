"""The ``icefacts`` command's entry point: Ctrl-C handling is installed before anything else
is imported, so that even an interrupt during start-up is one line, not a traceback."""

from __future__ import annotations

import os
import sys


def main() -> None:
    try:
        from icefacts import interrupts

        interrupts.install()
        from icefacts.cli import main as run
    except KeyboardInterrupt:
        sys.stderr.write("interrupted; the warehouse is unchanged\n")
        sys.stderr.flush()
        os._exit(130)
    run()


if __name__ == "__main__":
    main()
