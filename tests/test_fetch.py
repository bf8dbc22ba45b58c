"""Pinned files come from a mirror, the cache or their URL, always checked by sha256."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest

from icefacts.errors import InputError
from icefacts.fetch import CatalogEntry, fetch, load_catalog

PAYLOAD = b"a|b\n1|2\n"


def _entry(payload: bytes = PAYLOAD) -> CatalogEntry:
    return CatalogEntry(
        path="family/file.csv",
        url="https://example.invalid/file.csv",
        bytes=len(payload),
        sha256=hashlib.sha256(payload).hexdigest(),
    )


def _no_network(url: str):  # pragma: no cover - must never be called
    raise AssertionError(f"tried to download {url}")


def test_mirror_is_used_and_verified(tmp_path: Path) -> None:
    mirror = tmp_path / "mirror"
    (mirror / "family").mkdir(parents=True)
    (mirror / "family" / "file.csv").write_bytes(PAYLOAD)
    got = fetch(_entry(), mirror=mirror, cache=tmp_path / "cache", opener=_no_network)
    assert got == mirror / "family" / "file.csv"


def test_mirror_with_wrong_bytes_is_refused(tmp_path: Path) -> None:
    mirror = tmp_path / "mirror"
    (mirror / "family").mkdir(parents=True)
    (mirror / "family" / "file.csv").write_bytes(PAYLOAD + b"tampered")
    with pytest.raises(InputError, match="checksum mismatch"):
        fetch(_entry(), mirror=mirror, cache=tmp_path / "cache", opener=_no_network)


def test_download_goes_to_cache_then_cache_is_reused(tmp_path: Path) -> None:
    calls: list[str] = []

    def opener(url: str):
        calls.append(url)
        return io.BytesIO(PAYLOAD)

    cache = tmp_path / "cache"
    got = fetch(_entry(), mirror=tmp_path / "none", cache=cache, opener=opener)
    assert got.read_bytes() == PAYLOAD and calls == [_entry().url]
    again = fetch(_entry(), mirror=tmp_path / "none", cache=cache, opener=_no_network)
    assert again == got


def test_download_with_wrong_bytes_leaves_nothing_behind(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    with pytest.raises(InputError, match="checksum mismatch"):
        fetch(_entry(), mirror=None, cache=cache, opener=lambda url: io.BytesIO(b"evil"))
    assert not any(p.is_file() for p in cache.rglob("*"))


def test_downloads_off(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="downloads are off"):
        fetch(_entry(), mirror=None, cache=tmp_path, allow_download=False)


def test_catalog_pins_every_shared_file() -> None:
    catalog = load_catalog()
    demo = catalog["uwchr-ero-lesa-national-fy2016-2019/EROArrests_FY2017.csv.gz"]
    assert demo.bytes == 1_737_498 and len(demo.sha256) == 64
    assert all(len(e.sha256) == 64 and e.url.startswith("https://") for e in catalog.values())


def test_demo_falls_back_to_a_synthetic_release(tmp_path: Path, monkeypatch, run_cli) -> None:
    monkeypatch.setenv("ICEFACTS_MIRROR", str(tmp_path / "no-mirror"))
    monkeypatch.setenv("ICEFACTS_CACHE", str(tmp_path / "cache"))
    code, out, err = run_cli("demo", "--offline", "--db", str(tmp_path / "w.duckdb"))
    assert code == 0, err
    assert "SYNTHETIC" in err and "could not be had" in err
    assert "arrests by AOR" in out and "SYNTHETIC_EROArrests" in out
    # again: the same synthetic file, from the cache, already ingested; no folder left behind
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    monkeypatch.setenv("TMPDIR", str(tmp))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)  # TMPDIR is read again
    code, again, err = run_cli("demo", "--offline", "--db", str(tmp_path / "w.duckdb"))
    assert code == 0, err
    assert "already ingested" in again and "SYNTHETIC" in err
    assert list(tmp.iterdir()) == []
    assert [p.name for p in (tmp_path / "cache").glob("demo-synthetic-*")] != []


def test_the_mirror_beside_the_checkout_is_found_as_make_finds_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from icefacts.fetch import default_mirror
    from tests.conftest import ROOT

    monkeypatch.delenv("ICEFACTS_MIRROR", raising=False)
    beside = ROOT.parent / "shared" / "data"
    assert default_mirror() == (beside if beside.is_dir() else None)
    monkeypatch.setenv("ICEFACTS_MIRROR", "/somewhere/else")
    assert default_mirror() == Path("/somewhere/else")
