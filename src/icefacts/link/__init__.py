"""Links: likely duplicates within a release, the same event across releases (record
linkage), and a person's events within a production."""
