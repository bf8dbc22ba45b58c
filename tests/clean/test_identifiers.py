"""Identifying headers are recognised however they are spelled (table-driven: one case per
spelling), and place or program names are not mistaken for personal names."""

from __future__ import annotations

from pathlib import Path

import pytest

from icefacts import api
from icefacts.clean.identifiers import header_tokens, identifier_kind, vocabulary
from icefacts.warehouse import Warehouse
from tests.fixtures import NATIONAL_HEADER, NATIONAL_ROWS, national_csv

IDENTIFYING = [
    # (header as a release or a derived file might spell it, kind)
    ("Date_of_Birth", "birth_date"),
    ("Date of Birth", "birth_date"),
    ("DateOfBirth", "birth_date"),
    ("DATEOFBIRTH", "birth_date"),  # run together, upper case
    ("BirthDate", "birth_date"),
    ("birth_date.detainer", "birth_date"),  # snake_case of a joined derived file
    ("DOB", "birth_date"),
    ("DOB_1", "birth_date"),  # a repeated column, numbered
    ("D.O.B.", "birth_date"),
    ("Last_Name", "name"),
    ("LastName", "name"),
    ("FirstName", "name"),
    ("first_name", "name"),
    ("Surname", "name"),
    ("Given Names", "name"),
    ("Middle Name", "name"),
    ("FULL_NAME", "name"),
    ("Name", "name"),
    ("Alias", "name"),
    ("EID_Subject_ID", "subject_id"),
    ("Subject_ID", "subject_id"),
    ("SubjectID", "subject_id"),
    ("EID DTA ID", "subject_id"),
    ("eid_case_id", "subject_id"),
    ("A_Number", "a_number"),
    ("A-Number", "a_number"),
    ("ANumber", "a_number"),
    ("A#", "a_number"),
    ("A No.", "a_number"),
    ("Alien File Number", "a_number"),
    ("alien_file_number.arrest", "a_number"),
    ("AFile", "a_number"),
    ("FIN", "fin"),
    ("FINS", "fin"),
    ("Fingerprint ID", "fin"),
    ("Passport Number", "passport"),
    ("passport_no", "passport"),
    ("FBI Number", "fbi"),
    ("FBI#", "fbi"),
    ("FBINumber", "fbi"),
    ("Case ID", "case_id"),
    ("Case Number", "case_id"),
    ("Event Number", "case_id"),
    ("Booking Number", "case_id"),
    ("Inmate #", "case_id"),
    ("SSN", "ssn"),
    ("Social Security No.", "ssn"),
    ("Driver's License", "ssn"),
    ("Address", "address"),
    ("Home Address", "address"),
    ("Street", "address"),
    ("Phone Number", "phone"),
    ("Telephone", "phone"),
    ("E-mail", "email"),
    ("EmailAddress", "email"),
    # found by the fresh-clone review: headers that slipped into extra
    ("Detainer Number", "case_id"),
    ("Event No", "case_id"),
    ("Encounter ID", "case_id"),
    ("Arrest ID", "case_id"),
    ("ICE ID", "subject_id"),
    ("Record ID", "case_id"),
    ("ID", "subject_id"),
    ("First", "name"),
    ("Last", "name"),
    ("Middle", "name"),
    ("Lat", "address"),
    ("Lon", "address"),
    ("GPS", "address"),
    ("Coordinates", "address"),
    ("Plate", "ssn"),
    ("Person", "name"),
    ("Detainee", "name"),
    ("Emergency Contact", "name"),
    ("Attorney", "name"),
    # spellings a fresh-clone audit found stored (values verbatim in extra)
    ("Alien_Num", "a_number"),
    ("Alien Num", "a_number"),
    ("ARN", "a_number"),
    ("B_DATE", "birth_date"),
    ("Date Born", "birth_date"),
    ("Cell", "phone"),
    ("Ph. Number", "phone"),
    ("House Number", "address"),
    ("Unique Identifier", "subject_id"),
    ("Initials", "name"),
    ("Signature", "name"),
    ("Telefono", "phone"),
    ("Teléfono", "phone"),  # accents folded
    ("Correo", "email"),
    ("Correo_Electrónico", "email"),
    ("Direccion", "address"),
    ("Dirección", "address"),
    ("Photo", "name"),
    ("ID Number", "subject_id"),
    # and those a recheck found after that
    ("A-Numb", "a_number"),
    ("Fax Number", "phone"),
    ("Forename", "name"),
    ("Postcode", "address"),
    ("Apt No", "address"),
    ("Driver's Licence", "ssn"),
    ("Green Card Number", "a_number"),
    ("I-94 Number", "passport"),
    ("Travel Document Number", "passport"),
    ("Receipt Number", "case_id"),
    ("NCIC Number", "fbi"),
    ("TIN", "ssn"),
    ("IMEI", "phone"),
    ("Username", "email"),
    ("Social Media", "email"),
    ("Scars Marks Tattoos", "name"),
    ("Next of Kin", "name"),
    ("Telf", "phone"),
    ("Número de Pasaporte", "passport"),
    ("Código Postal", "address"),
    ("DNI", "subject_id"),
    ("Prénom", "name"),
    ("Nom de famille", "name"),
    ("Date de naissance", "birth_date"),
    ("Courriel", "email"),
    ("Sobrenome", "name"),
    ("Endereço", "address"),
    ("Data de Nascimento", "birth_date"),
    ("N\u0430me", "name"),  # a Cyrillic а
]

NOT_IDENTIFYING = [
    "Facility Name",  # a place
    "Detention Facility Name",
    "Facility Address",  # a detention facility's address is public
    "Apprehension Landmark",
    "Country of Citizenship",
    "Birth Country",  # not a birth date
    "Birth Year",
    "Final Order Yes No",  # "fin" only as a whole word
    "Final Program",
    "Case Status",
    "Case Category",
    "Gender",
    "Operation",
    "Processing Disposition",
    "Notes",
    "Finding",
    "Program Name",
    "Site Name",
    "Facility ID",
    "Detainee Count",
    "Last Known Location Type",
    "Longest Stay Days",
    "criminal_street_gang_yes_no",  # a detainer checkbox, not a street address
]


@pytest.mark.parametrize(("header", "kind"), IDENTIFYING)
def test_identifying_header(header: str, kind: str) -> None:
    assert identifier_kind(header) == kind


@pytest.mark.parametrize("header", NOT_IDENTIFYING)
def test_not_identifying_header(header: str) -> None:
    assert identifier_kind(header) is None


def test_tokens() -> None:
    assert header_tokens("EID_Subject_ID2") == ["eid", "subject", "id"]
    assert header_tokens("FirstName") == ["first", "name"]
    assert header_tokens("A#") == ["a", "number"]


def test_vocabulary_kinds_are_known() -> None:
    kinds = {p.kind for p in vocabulary()}
    assert kinds <= {
        "name",
        "birth_date",
        "a_number",
        "fin",
        "fbi",
        "passport",
        "subject_id",
        "case_id",
        "ssn",
        "address",
        "phone",
        "email",
        "not_identifying",
    }


def test_no_identifier_value_reaches_the_warehouse(wh: Warehouse, tmp_path: Path) -> None:
    """18 identifying columns added to a national CSV: none of their values is stored."""
    extra_headers = [h for h, _ in IDENTIFYING[:: max(1, len(IDENTIFYING) // 18)]][:18]
    header = [*NATIONAL_HEADER, *extra_headers]
    values = [f"SECRET{i:03d}" for i in range(len(extra_headers))]
    rows = [[*row, *values] for row in NATIONAL_ROWS]
    path = national_csv(tmp_path / "EROArrests_ids.csv", rows=rows, header=header)
    (r,) = api.ingest(wh, [path])
    assert r.status == "loaded", r.message
    dump = wh.engine.query("SELECT extra::VARCHAR AS e FROM arrests").column("e").to_pylist()
    assert dump and all("SECRET" not in (e or "") for e in dump)
    stored = " ".join(str(v) for v in wh.engine.query("SELECT * FROM raw_sheets").to_pylist())
    assert "SECRET" not in stored
    assert all(f"{h} (withheld)" in r.unmapped_columns for h in extra_headers)
