"""Pure cleaning steps: Arrow in, Arrow out, no I/O and no SQL."""
