"""``LabelTaxonomy``: the outcome labels of one store, the built-ins plus the store's own.

The built-ins are :data:`workbench.records.OUTCOMES`; a store adds its own with
:meth:`LabelTaxonomy.add` (``wb.add_labels("needs_review")``), kept in ``<root>/labels.json``
(``{"labels": ["needs_review", ...]}``) through the storage layer, so every process and
front end that opens the store (notebook, CLI, app) offers and accepts the same labels.
"""

from __future__ import annotations

from collections.abc import Iterator

import orjson

from workbench.errors import CorruptFileError, InvalidLabelError, NotFoundError
from workbench.records import OUTCOMES, check_label_name
from workbench.storage import Storage

TAXONOMY_FILE = "labels.json"
"""The store's own labels, beside ``datasets/``, ``runs/`` and ``prompts/``."""


class LabelTaxonomy:
    """The labels a person may give a result in one store: built-ins first, then the store's own.

    Args:
        storage: the store's root.
    """

    def __init__(self, storage: Storage) -> None:
        self.storage = storage

    def __repr__(self) -> str:
        return f"LabelTaxonomy({list(self.labels())!r})"

    def labels(self) -> tuple[str, ...]:
        """Every label: the built-in outcomes, then the added ones in the order they were added."""
        return OUTCOMES + tuple(n for n in self.added() if n not in OUTCOMES)

    def added(self) -> tuple[str, ...]:
        """The labels this store added to the built-ins."""
        try:
            data = self.storage.read_bytes(TAXONOMY_FILE)
        except NotFoundError:
            return ()
        return _decode(data, self.storage.uri(TAXONOMY_FILE))

    def add(self, *names: str) -> tuple[str, ...]:
        """Add labels to the store's taxonomy (one written update); returns the whole taxonomy.

        A name already there (a built-in, or added before) is left as it is, so running the
        same cell twice changes nothing.

        Raises:
            InvalidLabelError: a name is not 1-64 lowercase letters, digits and ``_``
                (nothing is written).
        """
        wanted = [check_label_name(n) for n in names]
        if not wanted:
            raise InvalidLabelError("give at least one label name, e.g. add_labels('needs_review')")

        def update(current: bytes | None) -> bytes:
            have = [] if current is None else list(_decode(current, self.storage.uri(TAXONOMY_FILE)))
            new = [n for n in dict.fromkeys(wanted) if n not in have and n not in OUTCOMES]
            if not new and current is not None:
                return current  # unchanged: nothing is written
            return orjson.dumps({"labels": have + new}, option=orjson.OPT_INDENT_2)

        self.storage.update(TAXONOMY_FILE, update)
        return self.labels()

    def __contains__(self, label: object) -> bool:
        return label in self.labels()

    def __iter__(self) -> Iterator[str]:
        return iter(self.labels())


def _decode(data: bytes, where: str) -> tuple[str, ...]:
    try:
        raw = orjson.loads(data)
        names = raw.get("labels") if isinstance(raw, dict) else None
        if not isinstance(names, list):
            raise CorruptFileError(f'{where} is damaged: it must hold {{"labels": ["name", ...]}}')
        return tuple(check_label_name(n) for n in names)
    except orjson.JSONDecodeError as exc:
        raise CorruptFileError(f"{where} is damaged: not JSON ({exc})") from None
    except InvalidLabelError as exc:
        raise CorruptFileError(f"{where} is damaged: {exc}") from None
