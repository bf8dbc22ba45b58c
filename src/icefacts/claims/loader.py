"""Reading claim files: YAML into the model, with every mistake one line naming the file,
the line and the key (``claims.yaml:14: claims[2].comparison.op: ...``).

PyYAML's composer keeps each node's position; a pydantic error's location is walked down the
node tree to the line it points at. A key given twice in one mapping is refused (YAML would
keep the last silently), and so is an id given twice in a file.
"""

from __future__ import annotations

import stat
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from icefacts.claims.model import ClaimFile
from icefacts.errors import InputError

MAX_BYTES = 1 << 20


# libyaml's parser where PyYAML was built with it (ten times faster), else the Python one
_Base: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_Base):
    """Safe YAML with dates left as text: pydantic parses them, and a malformed one is then
    an error naming its key and line, not a ValueError from deep inside PyYAML."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}  # a claim file is text a person wrote: 1 MiB is plenty


@dataclass(frozen=True)
class LoadedFile:
    """A claim file and where each of its keys was written (for errors found later, such as
    a place the places tables do not know)."""

    path: str
    claims: ClaimFile
    lines: dict[tuple[Any, ...], int] = field(default_factory=dict)

    def line_of(self, loc: Sequence[Any]) -> int | None:
        """The line of the deepest key of ``loc`` written in the file."""
        loc = tuple(loc)
        while loc:
            if loc in self.lines:
                return self.lines[loc]
            loc = loc[:-1]
        return None

    def error(self, loc: Sequence[Any], message: str) -> InputError:
        line = self.line_of(loc)
        return InputError(f"{self.path}:{line or 1}: {dotted(loc)}: {message}")


def dotted(loc: Sequence[Any]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(file)"


def load_claims(path: str | Path, text: str | None = None) -> LoadedFile:
    """Parse and validate one claim file (or ``text`` under that name)."""
    name = str(path)
    if text is None:
        p = Path(path)
        try:
            st = p.stat()
            if p.is_dir():
                raise IsADirectoryError
            if not stat.S_ISREG(st.st_mode):  # /dev/zero, a pipe: no end to read to
                raise InputError(f"{name}: not a regular file; not a claim file")
            with p.open("rb") as f:
                raw = f.read(MAX_BYTES + 1)
            if len(raw) > MAX_BYTES:
                raise InputError(f"{name}: larger than {MAX_BYTES >> 20} MiB; not a claim file")
        except FileNotFoundError:
            raise InputError(f"{name}: no such file") from None
        except IsADirectoryError:
            raise InputError(f"{name}: a folder, not a claim file") from None
        except PermissionError:
            raise InputError(f"{name}: cannot be read (permission denied)") from None
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(f"{name}: not UTF-8 text (byte {exc.start})") from None
    elif len(text.encode()) > MAX_BYTES:
        raise InputError(f"{name}: larger than {MAX_BYTES >> 20} MiB; not a claim file")
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        raise InputError(f"{name}:{line}: not valid YAML: {exc.problem or exc}") from None
    except yaml.YAMLError as exc:
        raise InputError(f"{name}: not valid YAML: {exc}") from None
    if node is None:
        raise InputError(f"{name}:1: empty: a claim file needs 'title' and 'claims'")
    lines: dict[tuple[Any, ...], int] = {}
    _index(node, (), lines, name)
    try:
        data = yaml.load(text, Loader=_Loader)  # a SafeLoader: no Python objects
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        raise InputError(f"{name}:{line}: not allowed in a claim file: {exc.problem}") from None
    except (yaml.YAMLError, ValueError, OverflowError) as exc:
        raise InputError(f"{name}: a value the claim file cannot hold: {exc}") from None
    if not isinstance(data, dict):
        raise InputError(f"{name}:1: a claim file is a mapping with 'title' and 'claims'")
    try:
        claims = ClaimFile.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = tuple(p for p in first["loc"] if not _is_union_tag(p))
        loaded = LoadedFile(name, ClaimFile.model_construct(), lines)
        raise loaded.error(loc, _message(dict(first))) from None
    loaded = LoadedFile(name, claims, lines)
    seen: dict[str, int] = {}
    for i, claim in enumerate(claims.claims):
        if claim.id in seen:
            raise loaded.error(
                ("claims", i, "id"),
                f"id {claim.id!r} is given twice (first as claims[{seen[claim.id]}])",
            )
        seen[claim.id] = i
    return loaded


def _is_union_tag(part: Any) -> bool:
    # pydantic puts the union member tried into an error's location ("function-before[...]")
    return isinstance(part, str) and ("[" in part or part in ("str", "float", "int"))


def _message(err: dict[str, Any]) -> str:
    msg = str(err["msg"]).removeprefix("Value error, ")
    if err["type"] == "extra_forbidden":
        return "unknown key"
    if err["type"] == "literal_error":
        return f"{msg}, not {err.get('input')!r}"
    if err["type"] == "missing":
        return "missing"
    if err["type"].startswith("date") or err["type"] in ("float_parsing", "int_parsing"):
        return f"{msg}, not {err.get('input')!r}"
    return msg


def _index(
    node: yaml.Node,
    loc: tuple[Any, ...],
    out: dict[tuple[Any, ...], int],
    name: str,
    seen: set[int] | None = None,
) -> None:
    seen = set() if seen is None else seen
    if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)):
        if id(node) in seen:  # an alias (*name): refused, it can multiply a file's size
            raise InputError(
                f"{name}:{node.start_mark.line + 1}: {dotted(loc)}: anchors and aliases "
                "(&name, *name) are not allowed in claim files"
            )
        seen.add(id(node))
    out.setdefault(loc, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        keys: set[str] = set()
        for key, value in node.value:
            if not isinstance(key, yaml.ScalarNode):
                raise InputError(
                    f"{name}:{key.start_mark.line + 1}: {dotted(loc)}: a key must be a plain "
                    "word, not a list or mapping"
                )
            k = key.value
            if k in keys:
                raise InputError(
                    f"{name}:{key.start_mark.line + 1}: {dotted((*loc, k))}: key given twice"
                )
            keys.add(k)
            out[(*loc, k)] = key.start_mark.line + 1
            _index(value, (*loc, k), out, name, seen)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _index(item, (*loc, i), out, name, seen)
