"""Claims: published statements checked against the records (docs/claims.md).

``model`` (the claim file, a pydantic model and its JSON Schema), ``loader`` (YAML in, one-line
errors naming file, line and key), ``places`` (a claim's places as rows of the views),
``measure`` (counts and distinct values with the bounds the records allow), ``check``
(readings, comparisons, verdicts).
"""
