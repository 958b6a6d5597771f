"""Dataset names: what may be used as a folder name in every store."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from workbench.errors import InvalidNameError

MAX_NAME_LENGTH = 128
_FORBIDDEN = set('/\\:*?"<>|')


def validate_name(name: object, *, what: str = "dataset") -> str:
    """Return ``name`` if it is a usable name, else raise :class:`InvalidNameError`.

    A name is 1 to 128 characters, has no path separator or character that some
    file system refuses (``/ \\ : * ? " < > |``), no control character, does not
    start with ``.`` or ``_`` (hidden and Delta-internal folders) and has no
    leading or trailing white space.
    """
    if not isinstance(name, str):
        raise InvalidNameError(f"{what} name must be a string, got {type(name).__name__}")
    if not name:
        raise InvalidNameError(f"{what} name is empty")
    if len(name) > MAX_NAME_LENGTH:
        raise InvalidNameError(f"{what} name {name[:20]!r}... is longer than {MAX_NAME_LENGTH} characters")
    if name != name.strip():
        raise InvalidNameError(f"{what} name {name!r} starts or ends with white space")
    if name.startswith((".", "_")):
        raise InvalidNameError(f"{what} name {name!r} starts with {name[0]!r}")
    for ch in name:
        if ch in _FORBIDDEN:
            raise InvalidNameError(f"{what} name {name!r} contains {ch!r}")
        if unicodedata.category(ch).startswith("C"):
            raise InvalidNameError(f"{what} name {name!r} contains a control character (U+{ord(ch):04X})")
    return name


# -- names on disk ------------------------------------------------------------------
# Delta Lake (delta-rs 1.6) turns a table's path into a URL without escaping it, so a path
# holding ``[``, ``]``, ``^``, ``|``, ``\`` or ``%`` followed by two hex digits cannot be
# written or is read from the wrong folder (``%20`` comes back as a space). A dataset whose
# name holds such a character lives in an escaped folder; the store's own folder is checked.
_UNSAFE_IN_FOLDER = "[]^%="
ESCAPED_PREFIX = "_"
"""Folders of datasets whose names needed escaping start with ``_`` (which no name may)."""
_ESCAPE = re.compile(r"=([0-9A-F]{2})")
_DELTA_UNSAFE = re.compile(r"[\[\]^|\\]|%[0-9A-Fa-f]{2}")


def folder_name(name: str) -> str:
    """The folder that holds the dataset ``name`` (``name`` itself unless it needs escaping).

    A name with ``[``, ``]``, ``^`` or ``%`` is stored as ``_`` followed by the name with
    those characters (and ``=``) written ``=XX`` (hex), e.g. ``q[1]^`` in ``_q=5B1=5D=5E``:
    the mapping is one-to-one because no name starts with ``_``.
    """
    if not any(ch in name for ch in "[]^%"):
        return name
    return ESCAPED_PREFIX + "".join(f"={ord(ch):02X}" if ch in _UNSAFE_IN_FOLDER else ch for ch in name)


def name_of_folder(folder: str) -> str:
    """The dataset name a folder holds (the inverse of :func:`folder_name`)."""
    if not folder.startswith(ESCAPED_PREFIX):
        return folder
    return _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), folder[len(ESCAPED_PREFIX) :])


def check_store_folder(folder: Path) -> Path:
    """Return ``folder`` if Delta Lake tables can live under it, else raise :class:`InvalidNameError`.

    Delta Lake's writer (delta-rs) cannot use a path holding ``[``, ``]``, ``^``, ``|``,
    ``\\`` or ``%`` followed by two hex digits (it reads ``%20`` as a space); such a store
    folder is refused here, before anything is written, rather than failing on the first item.
    """
    found = _DELTA_UNSAFE.search(str(folder.absolute()))
    if found:
        raise InvalidNameError(
            f"store folder {str(folder)!r} contains {found.group()!r}, which Delta Lake cannot use in a path "
            "('[', ']', '^', '|', '\\' and '%' followed by two hex digits); choose another folder"
        )
    return folder
