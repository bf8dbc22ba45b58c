"""``python -m icefacts.cli ...``: the ``icefacts`` command (as tests run it)."""

from icefacts.cli import main

main()
