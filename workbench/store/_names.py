"""Dataset names: what may be used as a folder name in every store."""

from __future__ import annotations

import unicodedata

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
