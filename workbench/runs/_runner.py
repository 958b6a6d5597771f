"""Starting and resuming runs: checks first, then the background execution."""

from __future__ import annotations

import math
import re
import threading
import uuid
import warnings
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import orjson
import pyarrow as pa
import pyarrow.parquet as pq

from workbench._loop import background_loop
from workbench.errors import ConflictError, NotFoundError, ValidationError
from workbench.providers._cache import ResponseCache
from workbench.providers._context import CallContext, call_timeout_for
from workbench.providers._limiter import AdaptiveLimiter
from workbench.providers._prices import PriceTable
from workbench.records import Item
from workbench.runs._engine import PLAN_MEMORY, Engine, Job
from workbench.runs._manifest import MANIFEST, RunManifest, Status, read_manifest, run_storage, write_manifest
from workbench.runs._plan import SELECTION_FILE
from workbench.runs._progress import ProgressBar, WidgetBar, in_notebook, progress_bar
from workbench.runs._run import Run
from workbench.runs._status import UnreadableRunWarning, shard_alive
from workbench.scorers import build_scorer
from workbench.scorers._base import Scorer, as_scorer
from workbench.specs import RunSpec, Spec
from workbench.storage import CorruptFileError, LocalStorage, StorageError
from workbench.store._dataset import Dataset
from workbench.store._names import validate_name
from workbench.store._table import connect, live_items_sql
from workbench.targets._base import Target
from workbench.targets._registry import as_target, build_target

if TYPE_CHECKING:
    from workbench.project import Project

MAX_LISTED = 5
T = TypeVar("T")


def new_run_id(target_name: str) -> str:
    """A sortable, readable, unique run id: ``20261122-0512-pipeline-v2-3f9a1c``."""
    slug = re.sub(r"[^A-Za-z0-9]+", "-", target_name).strip("-").lower()[:40] or "run"
    return f"{datetime.now(UTC):%Y%m%d-%H%M%S}-{slug}-{uuid.uuid4().hex[:6]}"


def parse_shard(shard: str | tuple[int, int] | None) -> tuple[int, int]:
    """``"i/n"`` or ``(i, n)`` with 0 <= i < n; ``None`` is the whole run."""
    if shard is None:
        return (0, 1)
    if isinstance(shard, str):
        m = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", shard)
        if not m:
            raise ValidationError(f"shard {shard!r}: write i/n, e.g. 0/4")
        shard = (int(m.group(1)), int(m.group(2)))
    if not (isinstance(shard, tuple) and len(shard) == 2 and all(isinstance(x, int) for x in shard)):
        raise ValidationError(f"shard {shard!r}: write 'i/n' or (i, n)")
    i, n = shard
    if not 0 <= i < n:
        raise ValidationError(f"shard {i}/{n}: i must be between 0 and n-1")
    return (i, n)


def _check_seconds(name: str, value: float | None) -> None:
    if value is not None and (
        isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value <= 0
    ):
        raise ValidationError(f"{name} must be a number of seconds > 0, or None; got {value!r}")


def _check_settings(
    repeats: int, concurrency: int, timeout: float | None, max_retries: int, call_timeout: float | None = None
) -> None:
    if not isinstance(repeats, int) or repeats < 1:
        raise ValidationError(f"repeats must be a whole number >= 1, got {repeats!r}")
    if not isinstance(concurrency, int) or concurrency < 1:
        raise ValidationError(f"concurrency must be a whole number >= 1, got {concurrency!r}")
    _check_seconds("timeout", timeout)
    _check_seconds("call_timeout", call_timeout)
    if not isinstance(max_retries, int) or max_retries < 0:
        raise ValidationError(f"max_retries must be a whole number >= 0, got {max_retries!r}")


def _scorers(scorers: Sequence[Scorer | Callable[..., Any]]) -> list[Scorer]:
    out = [as_scorer(s) for s in scorers]
    names = [s.name for s in out]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ValidationError(f"two scorers are named {dupes[0]!r}; give one a name=")
    return out


def _check_items(target: Target, files: list[str], item_ids: list[str] | None) -> None:
    """Refuse to start when items cannot be sent (e.g. a prompt variable they lack)."""
    if not target.checks_items or not files:
        return
    con = connect(memory_limit=PLAN_MEMORY)  # a sort of every item: bounded like the run's plan
    sql = f"select item_id, input, expected_output, context, metadata, output from ({live_items_sql(files)})"
    if item_ids is not None:
        con.register("chosen", pa.table({"item_id": item_ids}))
        sql += " semi join chosen using (item_id)"
    problems: list[str] = []
    count = 0
    reader = con.sql(sql + " order by position").to_arrow_reader(5000)
    for batch in reader:
        for row in batch.to_pylist():
            item = Item.from_row(row)
            problem = target.check(item)
            if problem:
                count += 1
                if len(problems) < MAX_LISTED:
                    problems.append(f"item {item.item_id!r} {problem}")
    if problems:
        more = f" (and {count - len(problems)} more)" if count > len(problems) else ""
        raise ValidationError(f"target {target.name}: {count} items cannot be sent: {'; '.join(problems)}{more}")


def _selected_ids(ds: Dataset, files: list[str], version: int, item_ids: Sequence[str]) -> list[str]:
    ids = list(dict.fromkeys(str(i) for i in item_ids))
    if not ids:
        raise ValidationError("item_ids is empty; pass None to run every item")
    con = connect()
    con.register("wanted", pa.table({"item_id": ids}))
    found = (
        {
            r[0]
            for r in con.execute(
                f"select item_id from ({live_items_sql(files)}) semi join wanted using (item_id)"
            ).fetchall()
        }
        if files
        else set()
    )
    missing = [i for i in ids if i not in found]
    if missing:
        shown = ", ".join(repr(m) for m in missing[:MAX_LISTED])
        raise NotFoundError(f"{len(missing)} item_ids are not in {ds.name!r} version {version}: {shown}")
    return ids


def _progress(show: bool | None, label: str) -> ProgressBar | WidgetBar | None:
    if show is None:
        show = in_notebook()
    return progress_bar(label) if show else None


def _context(
    project: Project, concurrency: int, call_timeout: float | None, max_retries: int, cache: bool
) -> CallContext:
    return CallContext(
        executor=ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="workbench-target"),
        limiter=AdaptiveLimiter(concurrency),
        max_retries=max_retries,
        call_timeout=call_timeout,
        cache=ResponseCache(project.root / "cache") if cache else None,
        prices=PriceTable.default(project.root, project.prices),
    )


def start_run(
    project: Project,
    dataset: str | Dataset,
    target: Target | Callable[..., Any],
    *,
    scorers: Sequence[Scorer | Callable[..., Any]] = (),
    version: int | None = None,
    item_ids: Sequence[str] | None = None,
    repeats: int = 1,
    concurrency: int = 16,
    timeout: float | None = 60.0,
    call_timeout: float | None = None,
    max_retries: int = 5,
    cache: bool = False,
    tags: Mapping[str, Any] | None = None,
    run_id: str | None = None,
    shard: str | tuple[int, int] | None = None,
    progress: bool | None = None,
) -> Run:
    """Check everything, create the run folder and start the run in the background."""
    ds = dataset if isinstance(dataset, Dataset) else project.dataset(dataset)
    _check_settings(repeats, concurrency, timeout, max_retries, call_timeout)
    per_call = call_timeout_for(timeout, call_timeout)
    shard_t = parse_shard(shard)
    the_target = as_target(target)
    the_scorers = _scorers(scorers)
    pinned = ds.version if version is None else version
    files = ds.files(pinned)
    ids = _selected_ids(ds, files, pinned, item_ids) if item_ids is not None else None
    the_target.prepare(project)
    _check_items(the_target, files, ids)
    count = len(ids) if ids is not None else ds.count(pinned)
    spec = RunSpec(
        dataset=ds.name,
        dataset_version=pinned,
        selection="item_ids" if ids is not None else "all",
        repeats=repeats,
        target=the_target.spec(),
        scorers=tuple(s.spec() for s in the_scorers),
        settings={
            "concurrency": concurrency,
            "timeout": timeout,
            "call_timeout": per_call,
            "max_retries": max_retries,
            "cache": cache,
        },
    )
    manifest = RunManifest.from_spec(
        validate_name(run_id, what="run") if run_id else new_run_id(the_target.name),
        spec,
        item_count=count,
        tags=orjson.loads(orjson.dumps(dict(tags or {}), default=str)),
    )
    ctx = _context(project, concurrency, per_call, max_retries, cache)  # reads the price table: may fail
    folder = project.runs_dir / manifest.id
    if not _create(folder, manifest, ids):
        manifest = _join(folder, manifest, shard_t)
    job = Job(folder, manifest, files, the_target, the_scorers, ctx, shard_t, concurrency, timeout)
    job.on_complete = project.on_run_complete
    return _launch(job, progress, project)


def _create(folder: Path, manifest: RunManifest, ids: list[str] | None) -> bool:
    """Create the run (selection, then manifest) unless another process did; ``False`` if it exists."""
    storage = run_storage(folder)
    with storage.lock(""):  # the run folder's lock: one creator's selection and manifest, never two mixed
        if storage.exists(MANIFEST):
            return False
        if ids is not None:
            with storage.open_atomic(SELECTION_FILE) as fh:
                pq.write_table(pa.table({"item_id": ids}), fh)
        write_manifest(folder, manifest)
    return True


def _join(folder: Path, wanted: RunManifest, shard: tuple[int, int]) -> RunManifest:
    """A second shard joining a run another process created (under the run's lock): the definitions must agree."""
    existing = read_manifest(folder)
    if shard == (0, 1):
        raise ConflictError(f"run {wanted.id!r} already exists; resume it with wb.resume({wanted.id!r})")
    same = ("dataset", "dataset_version", "selection", "item_count", "repeats")
    for key in same:
        if getattr(existing, key) != getattr(wanted, key):
            raise ConflictError(f"run {wanted.id!r} exists with another {key}: {getattr(existing, key)!r}")
    if existing.target.get("name") != wanted.target.get("name"):
        raise ConflictError(f"run {wanted.id!r} exists with another target: {existing.target.get('name')!r}")
    return existing


def _launch(job: Job, progress: bool | None, project: Project) -> Run:
    run = Run(job.folder, taxonomy=project.taxonomy)
    bar = _progress(progress, job.manifest.id)

    def report(done: int, errors: int, total: int) -> None:
        run._on_progress(done, errors, total)  # noqa: SLF001 - the same package
        if bar is not None:
            bar(done, errors, total)

    job.progress = report
    finished = threading.Event()

    async def execute() -> Status:
        try:
            return await Engine(job).execute()
        finally:
            if bar is not None:
                bar.close()  # a stopped run's bar ends its line: the next message starts on its own
            finished.set()  # the final status is recorded: Run.wait/interrupt/cancel may return

    run._job, run._finished = job, finished  # noqa: SLF001
    run._future = background_loop().submit(execute())  # noqa: SLF001
    return run


def resume_run(
    project: Project,
    run_id: str,
    *,
    target: Target | Callable[..., Any] | None = None,
    scorers: Sequence[Scorer | Callable[..., Any]] | None = None,
    shard: str | tuple[int, int] | None = None,
    concurrency: int | None = None,
    progress: bool | None = None,
) -> Run:
    """Start the missing units of a run again (after a crash, a kill or a cancel).

    The target and scorers are built from the run's :class:`~workbench.specs.RunSpec`
    unless given (a function defined in a notebook cannot be imported again).
    """
    folder = project.runs_dir / validate_name(run_id, what="run")
    manifest = read_manifest(folder)
    from workbench.runs._experiment import import_beside

    import_beside(manifest.tags)
    spec = manifest.spec
    the_target = as_target(target) if target is not None else _rebuilt(run_id, "target", build_target, spec.target)
    if the_target.name != spec.target.name:
        raise ValidationError(f"run {run_id!r} was made with target {spec.target.name!r}, not {the_target.name!r}")
    if scorers is None:
        the_scorers = [_rebuilt(run_id, "scorers", build_scorer, s) for s in spec.scorers]
    else:
        the_scorers = _scorers(scorers)
        if [s.name for s in the_scorers] != [s["name"] for s in manifest.scorers]:
            raise ValidationError(f"run {run_id!r} was made with scorers {[s['name'] for s in manifest.scorers]}")
    if shard is None and manifest.shard_count > 1:
        raise ValidationError(
            f"run {run_id!r} is split in {manifest.shard_count} shards; pass shard='i/{manifest.shard_count}'"
        )
    shard_t = parse_shard(shard)
    _refuse_if_running(folder, manifest, f"{shard_t[0]}/{shard_t[1]}")
    if manifest.dataset is None or manifest.dataset_version is None:
        raise ValidationError(f"run {run_id!r} has no dataset to resume from")
    ds = project.dataset(manifest.dataset)
    files = ds.files(manifest.dataset_version)
    the_target.prepare(project)
    settings = manifest.settings
    workers = concurrency or int(settings.get("concurrency", 16))
    timeout = settings.get("timeout")
    per_call = call_timeout_for(timeout, settings.get("call_timeout"))
    ctx = _context(project, workers, per_call, int(settings.get("max_retries", 5)), bool(settings.get("cache", False)))
    job = Job(folder, manifest, files, the_target, the_scorers, ctx, shard_t, workers, timeout)
    job.on_complete = project.on_run_complete
    return _launch(job, progress, project)


def _refuse_if_running(folder: Path, manifest: RunManifest, key: str) -> None:
    """A shard still running in a live process on this machine must not be started twice."""
    state = manifest.shards.get(key)
    if state is None or state.status != "running" or shard_alive(folder, key, state) is not True:
        return
    raise ConflictError(
        f"run {manifest.id!r} shard {key} is still running (process {state.pid}); wait for it or cancel it first"
    )


def _rebuilt(run_id: str, what: str, build: Callable[[Spec], T], spec: Spec) -> T:
    """Build the run's target or a scorer from its spec; the error says how to resume anyway."""
    try:
        return build(spec)
    except ValidationError as exc:
        raise ValidationError(f"run {run_id!r}: {exc} (to resume, pass {what}=)") from None


def open_run(project: Project, run_id: str) -> Run:
    """The run ``run_id`` of ``project`` (``NotFoundError`` when there is none)."""
    run = Run(project.runs_dir / validate_name(run_id, what="run"), taxonomy=project.taxonomy)
    run.manifest  # noqa: B018 - raises NotFoundError when absent
    return run


def list_runs(project: Project) -> list[RunManifest]:
    """Every readable run's manifest, newest first.

    A manifest that cannot be read (damaged, unreadable) is skipped with an
    :class:`UnreadableRunWarning` naming the file and what is wrong; the others are listed.
    """
    out = []
    for run_id in LocalStorage(project.runs_dir).list(""):
        folder = project.runs_dir / run_id
        if not run_storage(folder).exists(MANIFEST):
            continue
        try:
            out.append(read_manifest(folder))
        except (CorruptFileError, StorageError) as exc:
            warnings.warn(f"skipped run {folder.name}: {exc}", UnreadableRunWarning, stacklevel=2)
    return sorted(out, key=lambda m: m.created_at, reverse=True)


__all__ = ["list_runs", "new_run_id", "open_run", "parse_shard", "resume_run", "start_run"]
