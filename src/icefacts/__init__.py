"""icefacts: make ICE enforcement records answerable."""

__version__ = "0.1.0"
