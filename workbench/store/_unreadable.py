"""Files DuckDB cannot read: finding them after a query over many fails, and naming them.

Queries hand DuckDB explicit lists of files (item logs, result parts, manifests). When one
file is corrupt, DuckDB fails the whole query. The fast path never checks files; only when
a query fails are the listed files checked one by one (a Parquet file's footer with pyarrow,
a JSON file parsed), so the culprits can be named and, for the store-wide views, left out.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
import orjson
import pandas as pd

from workbench.errors import CorruptFileError, NotFoundError, UnreadableFileWarning
from workbench.storage import LocalStorage

_FILE_ERRORS = (duckdb.IOException, duckdb.InvalidInputException, duckdb.SerializationException)
"""DuckDB errors a bad file can cause (a syntax error or an unknown column cannot)."""


def warn_unreadable(exc: CorruptFileError) -> None:
    """Warn that a listing leaves out what ``exc`` names (its message starts with the path)."""
    path, _, reason = str(exc).partition(": ")
    warnings.warn(UnreadableFileWarning(path, reason.removeprefix("cannot be read: ")), stacklevel=3)


def file_problem(path: str) -> str | None:
    """Why ``path`` cannot be read (a Parquet footer or a JSON document), or ``None`` when it can."""
    try:
        if path.endswith(".json"):
            orjson.loads(LocalStorage(Path(path).parent).read_bytes(Path(path).name))
        else:
            import pyarrow.parquet as pq

            pq.read_metadata(path)
    except (FileNotFoundError, NotFoundError):
        return "the file is gone"
    except orjson.JSONDecodeError as exc:
        return f"not valid JSON: {exc}"
    except Exception as exc:
        return " ".join(str(exc).split()) or type(exc).__name__
    return None


def unreadable_files(paths: Iterable[str]) -> dict[str, str]:
    """The files among ``paths`` that cannot be read, with the reason of each."""
    out = {}
    for path in paths:
        problem = file_problem(path)
        if problem is not None:
            out[path] = problem
    return out


def may_be_a_file_error(exc: BaseException) -> bool:
    """Whether ``exc`` (raised by DuckDB) can come from an unreadable file."""
    return isinstance(exc, _FILE_ERRORS)


def raise_if_unreadable(exc: BaseException, files: Sequence[str]) -> None:
    """After DuckDB failed with ``exc`` over ``files``: raise :class:`CorruptFileError` naming the bad file.

    Returns when ``exc`` cannot come from a file or every file reads (the caller re-raises ``exc``).
    """
    if not may_be_a_file_error(exc):
        return
    bad = unreadable_files(files)
    if bad:
        path, reason = next(iter(bad.items()))
        more = f" (and {len(bad) - 1} more unreadable files)" if len(bad) > 1 else ""
        raise CorruptFileError(f"{path}: cannot be read: {reason}{more}") from exc


@contextmanager
def naming_unreadable(files: Callable[[], Sequence[str]]) -> Iterator[None]:
    """Turn a DuckDB failure caused by one of ``files()`` into a :class:`CorruptFileError` naming it.

    ``files`` is called only after a failure (listing costs nothing on the fast path).
    """
    try:
        yield
    except duckdb.Error as exc:
        raise_if_unreadable(exc, files())
        raise


def sql_skipping_unreadable(
    connect: Callable[[Collection[str]], duckdb.DuckDBPyConnection],
    files: Callable[[], list[str]],
    query: str,
    params: Sequence[Any] | None = None,
) -> pd.DataFrame:
    """Run ``query`` on ``connect(skip)``; if a file breaks it, leave that file out and run it again.

    ``connect(skip)`` makes a connection whose views leave out the files in ``skip``;
    ``files()`` lists every file the views read. Only after DuckDB fails with an error a
    file can cause are the files checked (footers, one by one); each unreadable one gives an
    :class:`~workbench.errors.UnreadableFileWarning` naming it and why, and the query runs
    once more without them. Any other failure is raised as it is.
    """
    skip: dict[str, str] = {}
    while True:
        try:
            con = connect(skip.keys())
        except duckdb.Error as exc:  # a view's first file is read when the view is made
            con, failure = None, exc
        if con is not None:
            try:
                return con.execute(query, list(params or [])).df()
            except duckdb.Error as exc:
                failure = exc
            finally:
                con.close()
        if not may_be_a_file_error(failure):
            raise failure
        bad = unreadable_files(f for f in files() if f not in skip)
        if not bad:
            raise failure
        for path, reason in bad.items():
            warnings.warn(UnreadableFileWarning(path, reason), stacklevel=3)
        skip |= bad
