"""One small parser per reference dataset: a verified local file -> a typed Arrow table.

Each module exposes ``parse(path, *, source=None, **params) -> pyarrow.Table``; ``source`` is
the catalog path written to the ``source_file`` column (defaults to the file name), ``params``
come from the dataset's entry in ``reference/datasets.yaml``.
"""
