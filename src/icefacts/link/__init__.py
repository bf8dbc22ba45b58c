"""Links: likely duplicates within a release (and, later, the same event across releases)."""
