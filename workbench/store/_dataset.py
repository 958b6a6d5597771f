"""A dataset: named, described, versioned collection of items."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import duckdb
import orjson
import pandas as pd
import pyarrow as pa
from deltalake import DeltaTable

from workbench._html import facts_html
from workbench.errors import NotFoundError, ValidationError
from workbench.records import Item
from workbench.store._info import DatasetInfo, locked, now_iso
from workbench.store._items import Validators, check_item_id, check_patch, encode_new_item
from workbench.store._json import decode, decode_column, decode_values, value_columns_sql
from workbench.store._names import name_of_folder
from workbench.store._schema import compile_schema, schema_problem
from workbench.store._table import (
    ITEM_FIELDS,
    LOG_SCHEMA,
    Commit,
    ItemLog,
    connect,
    latest_rows_sql,
    live_items_sql,
    local_files,
    sql_list,
)
from workbench.store._unreadable import raise_if_unreadable

if TYPE_CHECKING:
    from workbench.store._imports import ImportReport

ITEMS_DIR = "items"
ITEM_COLUMNS = ["item_id", *ITEM_FIELDS, "version"]


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"


UNSET: Any = _Unset()
"""Marks an argument that was not passed (``None`` is a value: "remove")."""


class Dataset:
    """A named, described collection of items with integer versions.

    Every mutation of the items (an add, an update, a delete, a batch, an import)
    makes exactly one new version; every earlier version stays readable.
    Get one from :meth:`workbench.Workbench.dataset` or
    :meth:`workbench.Workbench.create_dataset`.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._log = ItemLog(folder / ITEMS_DIR)

    # -- description -------------------------------------------------------
    @property
    def name(self) -> str:
        """The dataset's name (its folder's name, unescaped: see :func:`~workbench.store._names.folder_name`)."""
        return name_of_folder(self.folder.name)

    @property
    def info(self) -> DatasetInfo:
        """Description, metadata, schemas and timestamps, as stored now."""
        try:
            return DatasetInfo.read(self.folder)
        except FileNotFoundError as exc:
            raise NotFoundError(f"dataset {self.name!r} does not exist") from exc

    @property
    def description(self) -> str:
        """Free-text description."""
        return self.info.description

    @property
    def metadata(self) -> dict[str, Any]:
        """The dataset's JSON metadata."""
        return self.info.metadata

    @property
    def input_schema(self) -> dict[str, Any] | None:
        """JSON Schema every item's ``input`` must match, if any."""
        return self.info.input_schema

    @property
    def expected_schema(self) -> dict[str, Any] | None:
        """JSON Schema every item's ``expected_output`` must match, if any."""
        return self.info.expected_schema

    @property
    def version(self) -> int:
        """The latest version (0 for a dataset that never had items)."""
        return self._log.table().version()

    def files(self, version: int | None = None) -> list[str]:
        """The local paths of the Parquet files of the item log at ``version`` (default: latest).

        Every row of the log up to that version is in them (see :mod:`workbench.store._table`);
        hand them to DuckDB with :func:`~workbench.store._table.sql_list`, never as a glob.
        """
        return self._log.files(version)

    def count(self, version: int | None = None) -> int:
        """Number of items at ``version`` (default: the latest), from its commit record (no scan)."""
        return self._log.last_commit(self._log.table(version)).item_count

    def __len__(self) -> int:
        """Number of items in the latest version."""
        return self.count()

    def __repr__(self) -> str:
        return f"Dataset({self.name!r}, version={self.version}, items={len(self)})"

    def _repr_html_(self) -> str:
        info = self.info
        facts = [("version", self.version), ("items", len(self)), ("description", info.description)]
        return facts_html("Dataset", self.name, [*facts, ("updated", info.updated_at)])

    def update(
        self,
        *,
        description: str = UNSET,
        metadata: Mapping[str, Any] = UNSET,
        input_schema: dict[str, Any] | None = UNSET,
        expected_schema: dict[str, Any] | None = UNSET,
    ) -> None:
        """Change the description, metadata or schemas (no new item version).

        A new schema is checked against every item of the latest version first;
        if any item breaks it, nothing changes.
        """
        with locked(self.folder):
            info = self.info
            if description is not UNSET:
                if not isinstance(description, str):
                    raise ValidationError("description must be a string")
                info.description = description
            if metadata is not UNSET:
                if not isinstance(metadata, Mapping):
                    raise ValidationError("metadata must be a JSON object")
                info.metadata = orjson.loads(orjson.dumps(dict(metadata)))
            new_schemas = {}
            if input_schema is not UNSET:
                compile_schema(input_schema, field="input")
                info.input_schema = input_schema
                new_schemas["input"] = input_schema
            if expected_schema is not UNSET:
                compile_schema(expected_schema, field="expected_output")
                info.expected_schema = expected_schema
                new_schemas["expected_output"] = expected_schema
            if new_schemas:
                self._check_items_against(new_schemas)
            info.updated_at = now_iso()
            info.write(self.folder)

    def _schemas(self) -> tuple[Any, Any]:
        info = self.info
        return info.input_schema, info.expected_schema

    def _commit(self, build: Any, expected_version: int | None = None) -> int:
        """Commit under the dataset's lock (so a commit and a schema change never interleave)."""
        return self._log.commit(build, expected_version=expected_version, lock=lambda: locked(self.folder))

    def _validators(self) -> Validators:
        info = self.info
        return Validators(
            compile_schema(info.input_schema, field="input"),
            compile_schema(info.expected_schema, field="expected_output"),
        )

    def _check_items_against(self, schemas: dict[str, dict[str, Any] | None]) -> None:
        files = self._log.files()
        if not files:
            return
        con = connect()
        for field, schema in schemas.items():
            validator = compile_schema(schema, field=field)
            if validator is None:
                continue
            cursor = con.execute(f"select item_id, {field} from ({live_items_sql(files)}) order by position")
            while batch := cursor.fetchmany(10_000):
                for item_id, text in batch:
                    problem = schema_problem(validator, decode(text))
                    if problem:
                        raise ValidationError(
                            f"item {item_id!r}: field {field} does not match the new schema: {problem}; "
                            "schema not changed"
                        )

    # -- writing -------------------------------------------------------------
    def add_items(
        self,
        items: Iterable[Mapping[str, Any]] | pd.DataFrame,
        *,
        message: str | None = None,
        expected_version: int | None = None,
    ) -> int:
        """Add items and return the new version.

        Each item is a mapping with ``input`` (required) and optionally ``item_id``,
        ``expected_output``, ``context``, ``metadata`` and ``output``; a missing
        ``item_id`` is generated. The batch is one version; if any item is invalid
        (unknown field, not JSON, schema, duplicate id) nothing is written.

        Args:
            items: the items, or a DataFrame with those columns.
            message: a note kept with the version.
            expected_version: fail with ``ConflictError`` unless this is still the latest version.
        """
        records: list[Any] = items.to_dict("records") if isinstance(items, pd.DataFrame) else list(items)
        schemas = self._schemas()
        validators = self._validators()
        encoded = [encode_new_item(raw, index=i, validators=validators) for i, raw in enumerate(records)]
        if not encoded:
            raise ValidationError("add_items: no items given")
        seen: dict[str, int] = {}
        for i, row in enumerate(encoded):
            item_id = str(row["item_id"])
            if item_id in seen:
                raise ValidationError(f"item {i}: item_id {item_id!r} repeats item {seen[item_id]} of this batch")
            seen[item_id] = i
        staged = pa.table({k: [r[k] for r in encoded] for k in ("item_id", *ITEM_FIELDS)})

        def build(dt: DeltaTable, last: Commit) -> tuple[Any, dict[str, Any]]:
            if self._schemas() != schemas:  # changed while we encoded: check again, under the lock
                fresh = self._validators()
                for i, raw in enumerate(records):
                    encode_new_item(raw, index=i, validators=fresh)
            latest = self._latest_rows(dt, list(seen))
            for item_id, row in latest.items():
                if row["op"] != "delete":
                    raise ValidationError(
                        f"item {seen[item_id]} (item_id {item_id!r}): item_id already exists in "
                        f"{self.name!r} version {dt.version()}"
                    )
            ops = ["readd" if i in latest else "add" for i in staged.column("item_id").to_pylist()]
            rows = _log_rows(staged, version=dt.version() + 1, ops=ops, first_position=last.next_position)
            n = len(encoded)
            return rows, _record("add", message, last, added=n, next_position=last.next_position + n)

        return self._commit(build, expected_version)

    def update_item(
        self,
        item_id: str,
        *,
        input: Any = UNSET,  # noqa: A002 - the field's name
        expected_output: Any = UNSET,
        context: Any = UNSET,
        metadata: Any = UNSET,
        output: Any = UNSET,
        message: str | None = None,
        expected_version: int | None = None,
    ) -> int:
        """Change some fields of one item and return the new version.

        Fields not passed keep their value; ``None`` removes a field (not ``input``).
        """
        given = {"input": input, "expected_output": expected_output, "context": context}
        given |= {"metadata": metadata, "output": output}
        patch = {k: v for k, v in given.items() if v is not UNSET}
        return self.update_items([{"item_id": item_id, **patch}], message=message, expected_version=expected_version)

    def update_items(
        self,
        updates: Iterable[Mapping[str, Any]],
        *,
        message: str | None = None,
        expected_version: int | None = None,
    ) -> int:
        """Change fields of several items (each mapping has ``item_id``) in one new version.

        A concurrent writer's change to other fields of the same item is kept: the
        update re-applies its fields on top of the latest state.
        """
        validators = self._validators()
        patches: dict[str, dict[str, str | None]] = {}
        for i, raw in enumerate(updates):
            if not isinstance(raw, Mapping) or "item_id" not in raw:
                raise ValidationError(f"update {i}: needs an item_id")
            item_id = check_item_id(raw["item_id"], where=f"update {i}")
            if item_id in patches:
                raise ValidationError(f"update {i}: item_id {item_id!r} is updated twice in one batch")
            fields = {k: v for k, v in raw.items() if k != "item_id"}
            if not fields:
                raise ValidationError(f"update {i} (item_id {item_id!r}): no field to change")
            patches[item_id] = check_patch(item_id, fields, validators)
        if not patches:
            raise ValidationError("update_items: no updates given")

        def build(dt: DeltaTable, last: Commit) -> tuple[Any, dict[str, Any]]:
            latest = self._require_live(dt, list(patches))
            validators = self._validators()  # the schemas as they are now, under the lock
            out = []
            for item_id, patch in patches.items():
                row = {**latest[item_id], **patch}
                for field in ("input", "expected_output"):
                    problem = validators.problem(field, decode(row[field])) if row[field] is not None else None
                    if problem:
                        raise ValidationError(f"item {item_id!r}: field {field} does not match the schema: {problem}")
                out.append(row)
            staged = pa.table({k: [r[k] for r in out] for k in ("item_id", *ITEM_FIELDS)})
            rows = _log_rows(
                staged,
                version=dt.version() + 1,
                ops=["update"] * len(out),
                positions=[int(r["position"]) for r in out],
            )
            return rows, _record("update", message, last, updated=len(out))

        return self._commit(build, expected_version)

    def delete_items(
        self, item_ids: Iterable[str], *, message: str | None = None, expected_version: int | None = None
    ) -> int:
        """Delete items (all must exist) in one new version and return it."""
        ids = [check_item_id(i, where=f"delete {n}") for n, i in enumerate(item_ids)]
        if not ids:
            raise ValidationError("delete_items: no item ids given")
        if len(set(ids)) != len(ids):
            raise ValidationError("delete_items: an item id is given twice")

        def build(dt: DeltaTable, last: Commit) -> tuple[Any, dict[str, Any]]:
            latest = self._require_live(dt, ids)
            staged = pa.table({"item_id": ids, **{f: pa.nulls(len(ids), pa.string()) for f in ITEM_FIELDS}})
            rows = _log_rows(
                staged,
                version=dt.version() + 1,
                ops=["delete"] * len(ids),
                positions=[int(latest[i]["position"]) for i in ids],
            )
            return rows, _record("delete", message, last, deleted=len(ids))

        return self._commit(build, expected_version)

    def _latest_rows(self, dt: DeltaTable, ids: list[str]) -> dict[str, dict[str, Any]]:
        """Latest log row (deletions included) of each of ``ids`` that has one."""
        files = local_files(dt)
        if not files or not ids:
            return {}
        con = connect()
        con.register("wanted_ids", pa.table({"item_id": ids}))
        table = con.sql(latest_rows_sql(files, "wanted_ids")).arrow().read_all()
        return {r["item_id"]: r for r in table.to_pylist()}

    def _require_live(self, dt: DeltaTable, ids: list[str]) -> dict[str, dict[str, Any]]:
        latest = self._latest_rows(dt, ids)
        for item_id in ids:
            row = latest.get(item_id)
            if row is None or row["op"] == "delete":
                state = "was deleted" if row else "does not exist"
                raise NotFoundError(f"item {item_id!r} {state} in {self.name!r} version {dt.version()}")
        return latest

    # -- reading -------------------------------------------------------------
    def _query(self, files: list[str], sql: str, params: list[Any] | None = None) -> pa.Table:
        """Run ``sql`` (over ``files``) as Arrow; a corrupt file is a :class:`CorruptFileError` naming it."""
        try:
            return connect().sql(sql, params=params or None).to_arrow_table()
        except duckdb.Error as exc:
            raise_if_unreadable(exc, files)
            raise

    def items(self, version: int | None = None, *, raw: bool = False) -> pd.DataFrame:
        """The items of ``version`` (default: latest), in the order they were added.

        Columns: ``item_id``, ``input``, ``expected_output``, ``context``, ``metadata``,
        ``output`` and ``version`` (the version that last changed the item). The fields hold
        Python values: a JSON string is a ``str``, an object a ``dict``, an absent field ``None``.

        Args:
            version: the version to read (default: the latest).
            raw: give the fields as stored, as JSON text (``'"Paris"'``), which skips decoding.
        """
        files = self.files(version)
        if not files:
            empty = pd.DataFrame({c: pd.Series([], dtype=object) for c in ITEM_COLUMNS})
            empty["version"] = empty["version"].astype("int64")
            return empty
        live = live_items_sql(files)
        if raw:
            cols = ", ".join(ITEM_COLUMNS)
            raw_frame: pd.DataFrame = self._query(files, f"select {cols} from ({live}) order by position").to_pandas()
            return raw_frame
        cols = ", ".join(["item_id", *(value_columns_sql(f) for f in ITEM_FIELDS), "version"])
        table = self._query(files, f"select {cols} from ({live}) order by position")
        frame: pd.DataFrame = table.select(["item_id"]).to_pandas()
        for field in ITEM_FIELDS:  # one column at a time: pandas keeps each array, no copy into one block
            frame[field] = pd.Series(decode_values(table, field), dtype=object, copy=False)
        frame["version"] = table.column("version").to_pandas()
        return frame

    def item(self, item_id: str, version: int | None = None) -> Item:
        """One item of ``version`` (default: latest), with Python values; ``NotFoundError`` if absent."""
        dt = self._log.table(version)
        row = self._require_live(dt, [item_id])[item_id]
        return Item.from_row(row)

    def versions(self) -> pd.DataFrame:
        """One row per version: ``version``, ``created_at``, ``operation``, counts, ``message``."""
        rows = []
        for entry in self._log.history():
            rows.append(
                {
                    "version": entry["version"],
                    "created_at": datetime.fromtimestamp(entry["timestamp"] / 1000, tz=UTC),
                    "operation": entry.get("operation", "create" if entry["version"] == 0 else "other"),
                    "added": int(entry.get("added", 0)),
                    "updated": int(entry.get("updated", 0)),
                    "deleted": int(entry.get("deleted", 0)),
                    "item_count": int(entry.get("item_count", 0)),
                    "message": entry.get("message") or "",
                }
            )
        return pd.DataFrame(rows)

    def history(self, item_id: str, *, raw: bool = False) -> pd.DataFrame:
        """Every state of one item, oldest first: ``version``, ``created_at``, ``op`` and its fields.

        The fields hold Python values (``raw=True``: JSON text, as stored); a deleted state has none.
        """
        files = self._log.files()
        if not files:
            raise NotFoundError(f"item {item_id!r} never existed in {self.name!r}")
        src = f"read_parquet({sql_list(files)})"
        cols = ", ".join(ITEM_FIELDS)
        sql = f"select version, op, {cols} from {src} where item_id = ? order by version"
        table = self._query(files, sql, [item_id])
        if table.num_rows == 0:
            raise NotFoundError(f"item {item_id!r} never existed in {self.name!r}")
        df = pd.DataFrame({"version": table.column("version").to_pandas(), "op": table.column("op").to_pandas()})
        if raw:
            df = table.to_pandas()
        else:
            for field in ITEM_FIELDS:
                df[field] = decode_column(table.column(field))
        times = self.versions().set_index("version")["created_at"]
        df.insert(1, "created_at", df["version"].map(times))
        return df

    def diff(self, v1: int, v2: int, *, raw: bool = False) -> pd.DataFrame:
        """What changed from version ``v1`` to ``v2``: one row per added, removed or changed item.

        Columns: ``item_id``, ``change`` (``added``/``removed``/``changed``),
        ``fields`` (the fields that differ), ``before`` and ``after`` (a dict of those
        fields' values at ``v1`` and ``v2``, ``None`` on the side where the item is absent;
        JSON text of that dict with ``raw=True``).
        """
        hi = max(v1, v2)
        self._log.table(min(v1, v2))
        files = self._log.files(hi)
        columns = ["item_id", "change", "fields", "before", "after"]
        if not files or v1 == v2:
            return pd.DataFrame({c: [] for c in columns})
        state = """select * from log semi join cand using (item_id) where version <= {v}
                   qualify row_number() over (partition by item_id order by version desc) = 1"""
        table = self._query(
            files,
            f"""with log as (select * from read_parquet({sql_list(files)})),
            cand as (select distinct item_id from log where version > {min(v1, v2)} and version <= {hi}),
            a as ({state.format(v=v1)}), b as ({state.format(v=v2)})
            select coalesce(a.item_id, b.item_id) as item_id,
                   coalesce(a.op, 'delete') as op_a, coalesce(b.op, 'delete') as op_b,
                   coalesce(a.position, b.position) as position,
                   {", ".join(f"a.{f} as a_{f}, b.{f} as b_{f}" for f in ITEM_FIELDS)}
            from a full outer join b using (item_id) order by position""",
        )
        out = []
        for r in table.to_pylist():
            alive_a, alive_b = r["op_a"] != "delete", r["op_b"] != "delete"
            if not alive_a and not alive_b:
                continue
            if alive_a and alive_b:
                fields = [f for f in ITEM_FIELDS if decode(r[f"a_{f}"]) != decode(r[f"b_{f}"])]
                change = "changed"
            else:
                side = "b" if alive_b else "a"
                fields = [f for f in ITEM_FIELDS if r[f"{side}_{f}"] is not None]
                change = "added" if alive_b else "removed"
            if not fields:
                continue
            before = {f: decode(r[f"a_{f}"]) for f in fields} if alive_a else None
            after = {f: decode(r[f"b_{f}"]) for f in fields} if alive_b else None
            out.append(
                {
                    "item_id": r["item_id"],
                    "change": change,
                    "fields": fields,
                    "before": before if not raw or before is None else orjson.dumps(before).decode(),
                    "after": after if not raw or after is None else orjson.dumps(after).decode(),
                }
            )
        return pd.DataFrame(out, columns=columns)

    # -- import and export ---------------------------------------------------
    def import_csv(
        self,
        path: str | Path,
        *,
        mapping: Mapping[str, str | list[str]] | None = None,
        mode: Literal["append", "upsert", "sync"] = "append",
        json_columns: Iterable[str] = (),
        number_columns: Iterable[str] = (),
        infer_types: bool = False,
        on_invalid: Literal["abort", "skip"] = "abort",
        encoding: str = "utf-8",
        delimiter: str = ",",
        message: str | None = None,
        dry_run: bool = False,
    ) -> ImportReport:
        """Import a CSV file as one new version (see :mod:`workbench.store._imports`).

        Without a ``mapping``, columns are matched to fields by their names
        (:func:`~workbench.store.guess_mapping`: ``question`` -> ``input``, ``answer`` ->
        ``expected_output``, ``id`` -> ``item_id``...); the report's ``mapping`` says which.
        Cells are text unless ``json_columns``, ``number_columns`` or ``infer_types`` say
        otherwise. A file whose header is exactly an :meth:`export`'s (``item_id``, ``input``,
        ``expected_output``, ``context``, ``metadata``, ``output``), imported without a
        ``mapping``, is read as an export: a cell that parses as JSON is that JSON value, any
        other cell is text, so the items come back exactly as they were exported.

        Args:
            path: the CSV file (UTF-8 by default; a byte order mark is ignored).
            mapping: field -> column, or field -> [columns] for an object keyed by column.
            mode: ``"append"`` adds the rows as new items (an id already in the dataset is an
                error); ``"upsert"`` adds new ids and updates the items whose mapped fields
                changed, leaving the rest; ``"sync"`` also deletes the items whose ids are not in
                the file. Upsert and sync need an ``item_id`` in every row. Always one version,
                and none when nothing changes.
            json_columns: columns whose cells are JSON.
            number_columns: columns whose cells are numbers.
            infer_types: guess numbers, booleans and JSON in every other cell.
            on_invalid: ``"abort"`` writes nothing if a row is invalid; ``"skip"`` imports the
                valid rows and lists the others (not with ``"sync"``).
            encoding: the file's text encoding.
            delimiter: the field separator.
            message: a note kept with the version.
            dry_run: check everything and count what would change, writing nothing.

        Returns:
            An :class:`~workbench.store.ImportReport`: the version, and how many items were
            added, updated, unchanged and deleted.
        """
        from workbench.store._imports import import_file

        return import_file(
            self,
            Path(path),
            kind="csv",
            mapping=mapping,
            mode=mode,
            dry_run=dry_run,
            json_columns=json_columns,
            number_columns=number_columns,
            infer_types=infer_types,
            on_invalid=on_invalid,
            encoding=encoding,
            delimiter=delimiter,
            message=message,
        )

    def import_jsonl(
        self,
        path: str | Path,
        *,
        mapping: Mapping[str, str | list[str]] | None = None,
        mode: Literal["append", "upsert", "sync"] = "append",
        on_invalid: Literal["abort", "skip"] = "abort",
        message: str | None = None,
        dry_run: bool = False,
    ) -> ImportReport:
        """Import a JSON Lines file (one object per line) as one new version.

        Keys are matched to fields as a CSV's columns are (see :meth:`import_csv`, which
        also explains ``mode``, ``on_invalid`` and ``dry_run``); values keep their JSON types.
        """
        from workbench.store._imports import import_file

        return import_file(
            self, Path(path), kind="jsonl", mapping=mapping, mode=mode, on_invalid=on_invalid, message=message,
            dry_run=dry_run,
        )  # fmt: skip

    def import_parquet(
        self,
        path: str | Path,
        *,
        mapping: Mapping[str, str | list[str]] | None = None,
        mode: Literal["append", "upsert", "sync"] = "append",
        on_invalid: Literal["abort", "skip"] = "abort",
        message: str | None = None,
        dry_run: bool = False,
    ) -> ImportReport:
        """Import a Parquet file as one new version; rows are numbered from 1 in errors.

        Columns are matched to fields and ``mode`` works as in :meth:`import_csv`.

        Columns are read as typed (text as ``str``, numbers, lists and structs as Python
        values); the JSON-text columns of a Parquet :meth:`export` (listed in its metadata)
        are decoded, so an export imports back to the same items.
        """
        from workbench.store._imports import import_file

        return import_file(
            self, Path(path), kind="parquet", mapping=mapping, mode=mode, on_invalid=on_invalid, message=message,
            dry_run=dry_run,
        )  # fmt: skip

    def export(
        self,
        path: str | Path,
        *,
        format: Literal["csv", "jsonl", "parquet"] | None = None,  # noqa: A002 - the usual word
        version: int | None = None,
    ) -> Path:
        """Write the items of ``version`` (default: latest) to CSV, JSONL or Parquet.

        The format comes from the file's extension unless given. Each imports back to the
        same items with the default mapping (:meth:`import_csv`, :meth:`import_jsonl`,
        :meth:`import_parquet`). In JSONL the fields are nested JSON values; in Parquet,
        JSON text; in CSV, text is written as text and anything else (and a text that
        would read as JSON, like ``"1e3"``) as JSON (see :mod:`workbench.store._exports`).
        """
        from workbench.store._exports import export_items

        return export_items(self._log.files(version), Path(path), format)


def _record(
    operation: str,
    message: str | None,
    last: Commit,
    *,
    added: int = 0,
    updated: int = 0,
    deleted: int = 0,
    next_position: int | None = None,
) -> dict[str, Any]:
    """The workbench's record of a commit (kept in the Delta commit's metadata)."""
    return {
        "operation": operation,
        "message": message or "",
        "added": added,
        "updated": updated,
        "deleted": deleted,
        "item_count": last.item_count + added - deleted,
        "next_position": last.next_position if next_position is None else next_position,
    }


def _log_rows(
    staged: pa.Table,
    *,
    version: int,
    ops: list[str],
    first_position: int | None = None,
    positions: list[int] | None = None,
) -> pa.Table:
    """Rows of the item log for ``staged`` (``item_id`` + JSON fields) at ``version``."""
    n = staged.num_rows
    if positions is None:
        assert first_position is not None
        positions = list(range(first_position, first_position + n))
    columns = {
        "item_id": staged.column("item_id"),
        "version": pa.array([version] * n, pa.int64()),
        "op": pa.array(ops, pa.string()),
        "position": pa.array(positions, pa.int64()),
        **{f: staged.column(f).cast(pa.string()) for f in ITEM_FIELDS},
    }
    return pa.table(columns, schema=LOG_SCHEMA)
