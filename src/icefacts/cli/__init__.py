"""The ``icefacts`` command. Thin: each command parses its arguments, calls
:mod:`icefacts.api` and renders what comes back (:mod:`icefacts.render`).

Modules: ``common`` (consoles, shared options, printing tables and answers, parsing dates and
codes), ``loading`` (ingest, upgrade, synth, demo), ``querying`` (releases, sql, validate,
export, codebook), ``answers`` (operation, trend, operations detect: on DuckDB or Spark),
``place_commands`` (place, places, rates, coverage), ``checking`` (check, link),
``reference`` (the ``reference`` sub-commands), ``showing`` (serve, report). Importing them
costs little: the API, DuckDB and Arrow are imported when a command runs, so ``--version``
and ``--help`` stay fast.
"""

from __future__ import annotations

import contextlib
import os
import sys
from typing import Annotated

import typer

from icefacts.cli import answers, checking, loading, place_commands, querying, reference, showing
from icefacts.cli.common import INGEST, NEW_WAREHOUSE, drop_new_warehouse, err, plural
from icefacts.errors import IcefactsError

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="icefacts: what ICE's own records say. Ingest releases, query, validate.",
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        from icefacts._version import __version__

        typer.echo(f"icefacts {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="show version")
    ] = False,
) -> None:
    """icefacts: what ICE's own records say. Ingest releases, query, validate."""


# in this order in --help (sub-apps are listed after the commands)
for command in (
    loading.ingest,
    querying.releases,
    querying.sql,
    querying.validate,
    loading.synth,
    loading.demo,
    answers.operation,
    answers.trend,
    querying.export,
    loading.upgrade,
    querying.codebook,
    place_commands.place,
    place_commands.places,
    place_commands.rates,
    place_commands.coverage,
    checking.check,
    checking.link,
    showing.serve,
):
    app.command()(command)
app.add_typer(answers.operations_app, name="operations")
app.add_typer(reference.reference_app, name="reference")
app.add_typer(showing.report_app, name="report")


def main() -> None:
    from icefacts import interrupts

    interrupts.install()
    try:
        code = app(standalone_mode=False, prog_name="icefacts")
        if isinstance(code, int) and code:  # --help, an Exit raised by a command
            sys.exit(code)
    except IcefactsError as exc:
        if not interrupts.requested():
            err.print(
                f"icefacts: {exc.one_line()}",
                highlight=False,
                markup=False,
                emoji=False,  # ":end:" in a message is text, not an emoji code
                soft_wrap=True,
            )
            sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        interrupts.request()
        _interrupted()
    except Exception as exc:
        if not _usage_error(exc):
            raise
    except SystemExit as exc:
        if exc.code == 130:  # typer turns a KeyboardInterrupt into exit code 130
            interrupts.request()
            _interrupted()
        if not interrupts.requested():
            raise
    finally:
        if interrupts.requested():
            _interrupted()


def _usage_error(exc: Exception) -> bool:
    """A mistake on the command line (click's usage errors, which typer wraps): one line on
    stderr and exit 2, not a framed box. False for anything else."""
    import typer

    from icefacts import interrupts

    if isinstance(exc, typer.Abort):  # Ctrl-C inside click itself
        interrupts.request()
        return True
    message = getattr(exc, "format_message", None)
    if not callable(message) or not hasattr(exc, "exit_code"):
        return False
    text = " ".join(str(message()).split()).rstrip(".")
    if not text:  # `icefacts` alone: the help was shown
        sys.exit(0)
    ctx = getattr(exc, "ctx", None)
    where = ctx.command_path if ctx is not None else "icefacts"
    text = text[:1].lower() + text[1:]
    hint = f"; see `{where} --help`" if ctx is not None else ""
    err.print(f"{where}: {text}{hint}", highlight=False, markup=False, soft_wrap=True)
    sys.exit(int(getattr(exc, "exit_code", 2)) or 2)


def _interrupted() -> None:
    """Ctrl-C: a file loads in one transaction, rolled back by now; files loaded before it
    stay. Exit at once, without waiting for background parsing threads."""
    with contextlib.suppress(Exception):
        sys.stdout.flush()
    from icefacts import interrupts

    # each file of an ingest commits on its own transaction
    kept = max(0, interrupts.commits() - int(INGEST.get("commits_before", 0))) if INGEST else 0
    if kept:
        text = (
            f"interrupted; {plural(kept, 'file')} loaded before the interruption "
            f"{'is' if kept == 1 else 'are'} kept, "
            "nothing of the file in flight"
        )
    else:
        text = "interrupted; the warehouse is unchanged"
        if NEW_WAREHOUSE:
            new = NEW_WAREHOUSE[0]
            text = f"interrupted; nothing was loaded (the new warehouse {new} was not kept)"
            drop_new_warehouse()
    sys.stderr.write(text + "\n")
    sys.stderr.flush()
    os._exit(130)


__all__ = ["app", "main"]
