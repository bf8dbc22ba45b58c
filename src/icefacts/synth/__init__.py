"""Synthetic ICE releases in the real layouts, with the truth a pipeline must recover.

``generate(out_dir, rows=..., seed=...)`` writes

* family A (national LESA extracts, FOIA 2019-ICFO-53623): ``SYNTHETIC_EROArrests_FY2017.csv.gz``,
  ``SYNTHETIC_EROEncounters_FY2017.csv.gz``, ``SYNTHETIC_ICERemovals_FY2017.csv.gz`` -- gzip
  pipe-delimited CSV, five title lines, byte-for-byte the layout of the public copies;
* family C (current person-level releases): ``SYNTHETIC_ICE_{Arrests,Detainers,Encounters,
  Detention_Stints,Removals}_FY2024.xlsx`` -- six title rows, header on row 7, real Excel dates,
  continued on further sheets past ``sheet_rows``;
* ``truth.json`` (see ``truth``): counts, duplicates and quirks exactly as planted;
* with ``operations=[PlantedOperation(...)]`` (see ``operations``), surges of arrests in the
  national arrests, with what was planted in ``truth.json``.

Modules: ``release`` (``generate``: build, write, truth), ``layouts`` (file names, title rows,
header lists, ``UNMAPPED_OK``), ``values`` (vocabularies and weights), ``frame``
(dictionary-encoded in-memory tables), ``lesa_national`` (family A), ``people`` (family C:
people, episodes, linked tables), ``writers`` (CSV and workbook files), ``xlsx`` (the OOXML
writer), ``background_writer`` (compression on a thread), ``operations`` (planted operations),
``truth`` (``truth.json``).
"""

from icefacts.synth.operations import PlantedOperation
from icefacts.synth.release import TRUTH_FILE, build, generate

__all__ = ["TRUTH_FILE", "PlantedOperation", "build", "generate"]
