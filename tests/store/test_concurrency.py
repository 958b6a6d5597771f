"""Concurrent writers and crashes: each test states one behaviour of the store under real processes.

Every writer is a separate Python process (``sys.executable -c ...``) working on a
real folder. Writers that must race wait at a file barrier and start together.
A crash is a ``SIGKILL``: nothing in the victim gets a chance to clean up. To stop
(or pause) a child at an exact point, a few children wrap a store function
(``workbench.store._table.write_deltalake``, ``ItemLog.create``, ``os.rename``)
in their own process before they start; the code under test is unchanged.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pandas as pd
import pytest

from workbench import ConflictError, Dataset, Item, NotFoundError, ValidationError, Workbench

pytestmark = pytest.mark.slow

BIG = 200_000
"""Items in a large write."""

# -- child processes -------------------------------------------------------------

PRELUDE = """
import json, os, signal, sys, time
from pathlib import Path
from workbench import ConflictError, ValidationError, Workbench, WorkbenchError

ROOT = Path(sys.argv[1])
SYNC = Path(sys.argv[2])
TAG = sys.argv[3]
ARGS = sys.argv[4:]


def say(text):
    print(text, flush=True)


def wait_for_go():
    '''Report ready, wait for the parent's go; return the start time it sets.'''
    (SYNC / f"ready-{TAG}").touch()
    go = SYNC / "go"
    while not go.exists():
        time.sleep(0.0005)
    return float(go.read_text())


def sleep_until(moment):
    while time.time() < moment:
        time.sleep(0.0005)


def finish(**result):
    say("RESULT " + json.dumps(result))
"""


class Children:
    """Starts child processes, releases them together and collects their results."""

    def __init__(self, root: Path, sync: Path) -> None:
        self.root = root
        self.sync = sync
        self.sync.mkdir(parents=True, exist_ok=True)
        # A killed import leaves its staging folder behind: keep those inside the test's folder.
        self.tmp = sync.parent / "tmp"
        self.tmp.mkdir(exist_ok=True)
        self.procs: list[subprocess.Popen[str]] = []

    def start(self, body: str, tag: str, *args: object) -> subprocess.Popen[str]:
        """Run ``PRELUDE + body`` in a new interpreter with ``ROOT``, ``SYNC``, ``TAG`` and ``ARGS``."""
        code = PRELUDE + textwrap.dedent(body)
        argv = [sys.executable, "-c", code, str(self.root), str(self.sync), tag, *map(str, args)]
        env = {**os.environ, "TMPDIR": str(self.tmp)}
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        self.procs.append(proc)
        return proc

    def release(self, tags: list[str], *, delay: float = 0.0, timeout: float = 60.0) -> float:
        """Wait until every child in ``tags`` waits at the barrier, then let them go; return the start time."""
        deadline = time.monotonic() + timeout
        while not all((self.sync / f"ready-{t}").exists() for t in tags):
            for proc in self.procs:
                if proc.poll() is not None and proc.returncode != 0:
                    _, err = proc.communicate()
                    pytest.fail(f"a child died before the barrier (exit {proc.returncode}):\n{err}")
            assert time.monotonic() < deadline, "children never reached the barrier"
            time.sleep(0.005)
        start = time.time() + delay
        tmp = self.sync / "go.tmp"
        tmp.write_text(repr(start))
        os.replace(tmp, self.sync / "go")
        return start

    @staticmethod
    def result(proc: subprocess.Popen[str], timeout: float = 60.0) -> dict[str, Any]:
        """Wait for a child that must exit cleanly and return what it passed to ``finish``."""
        out, err = proc.communicate(timeout=timeout)
        assert proc.returncode == 0, f"child failed (exit {proc.returncode}):\n{err}"
        lines = [line for line in out.splitlines() if line.startswith("RESULT ")]
        assert lines, f"child printed no result:\n{out}\n{err}"
        result: dict[str, Any] = json.loads(lines[-1].removeprefix("RESULT "))
        return result

    @staticmethod
    def read_line(proc: subprocess.Popen[str]) -> str:
        """The next line the child prints (fails when it exits instead)."""
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if not line:
            proc.wait(timeout=30)
            assert proc.stderr is not None
            pytest.fail(f"child exited (code {proc.returncode}) instead of printing:\n{proc.stderr.read()}")
        return line.strip()

    def stop_all(self) -> None:
        """Kill (by pid) every child still running."""
        for proc in self.procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=30)
            for stream in (proc.stdout, proc.stderr):
                if stream is not None:
                    stream.close()


@pytest.fixture
def children(wb: Workbench, tmp_path: Path) -> Iterator[Children]:
    """Child processes on ``wb``'s folder; any left running are killed at the end."""
    kids = Children(wb.root, tmp_path / "sync")
    try:
        yield kids
    finally:
        kids.stop_all()


def kill(proc: subprocess.Popen[str]) -> int:
    """SIGKILL ``proc`` (if it still runs) and return its exit code."""
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGKILL)
    return proc.wait(timeout=30)


def overlap(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Whether two children's active periods (``began``..``ended``) overlap."""
    return bool(a["began"] < b["ended"] and b["began"] < a["ended"])


def versions_are_gapless(ds: Dataset) -> pd.DataFrame:
    """``ds.versions()``, after checking it lists exactly 0..latest."""
    table = ds.versions()
    assert table["version"].tolist() == list(range(ds.version + 1))
    return table


# -- racing writers --------------------------------------------------------------

ADDER = """
ds = Workbench(ROOT).dataset("race")
n = int(ARGS[0])
wait_for_go()
versions, errors = [], []
began = time.time()
for i in range(n):
    try:
        versions.append(ds.add_items([{"item_id": f"{TAG}-{i}", "input": {"writer": TAG, "i": i}}]))
    except WorkbenchError as exc:
        errors.append(f"add {i}: {type(exc).__name__}: {exc}")
finish(versions=versions, errors=errors, began=began, ended=time.time())
"""


def test_two_processes_adding_at_once_lose_no_item_and_leave_no_gap(wb: Workbench, children: Children) -> None:
    n = 30
    ds = wb.create_dataset("race")
    procs = {tag: children.start(ADDER, tag, n) for tag in ("a", "b")}
    children.release(list(procs))
    results = {tag: children.result(proc) for tag, proc in procs.items()}

    for tag, res in results.items():
        assert res["errors"] == [], f"writer {tag} could not commit every add: {res['errors']}"
    assert overlap(results["a"], results["b"]), "the writers did not run at the same time"
    # Each call got its own version, in call order, and together they are 1..60.
    for res in results.values():
        assert res["versions"] == sorted(set(res["versions"]))
    added_at = {f"{tag}-{i}": v for tag, res in results.items() for i, v in enumerate(res["versions"])}
    assert sorted(added_at.values()) == list(range(1, 2 * n + 1))

    ds = wb.dataset("race")
    assert ds.version == 2 * n
    assert len(ds) == 2 * n
    table = versions_are_gapless(ds)
    assert table["item_count"].tolist() == list(range(2 * n + 1))
    assert table["added"].tolist() == [0] + [1] * (2 * n)
    # Every version holds exactly the items committed up to it, in commit order,
    # each marked with the version that added it.
    in_commit_order = sorted(added_at, key=added_at.__getitem__)
    for v in range(2 * n + 1):
        items = ds.items(v)
        assert items["item_id"].tolist() == in_commit_order[:v], f"version {v}"
        assert items["version"].tolist() == list(range(1, v + 1)), f"version {v}"
        assert len(items) == table["item_count"][v]
    final = ds.items()
    assert final["item_id"].is_unique
    assert {(r["writer"], r["i"]) for r in final["input"]} == {(t, i) for t in ("a", "b") for i in range(n)}
    counts = wb.sql("select count(*) as n, count(distinct item_id) as d from items").iloc[0]
    assert (counts["n"], counts["d"]) == (2 * n, 2 * n)


FIELD_UPDATER = """
ds = Workbench(ROOT).dataset("fields")
field, n = ARGS[0], int(ARGS[1])
wait_for_go()
versions, errors = [], []
began = time.time()
for i in range(n):
    value = f"{TAG}{i}" if field == "expected_output" else {TAG: i}
    try:
        versions.append(ds.update_item("shared", **{field: value}))
    except WorkbenchError as exc:
        errors.append(f"update {i}: {type(exc).__name__}: {exc}")
finish(versions=versions, errors=errors, began=began, ended=time.time())
"""


def test_concurrent_updates_of_different_fields_of_one_item_keep_both(wb: Workbench, children: Children) -> None:
    n = 15
    ds = wb.create_dataset("fields")
    start = {"input": {"q": "2+2?"}, "expected_output": "init", "metadata": {"init": True}, "context": "ctx"}
    ds.add_items([{"item_id": "shared", **start}])
    procs = {
        "A": children.start(FIELD_UPDATER, "A", "expected_output", n),
        "M": children.start(FIELD_UPDATER, "M", "metadata", n),
    }
    children.release(list(procs))
    results = {tag: children.result(proc) for tag, proc in procs.items()}

    for tag, res in results.items():
        assert res["errors"] == [], f"writer {tag} could not commit every update: {res['errors']}"
    assert overlap(results["A"], results["M"]), "the writers did not run at the same time"
    a_at = {v: i for i, v in enumerate(results["A"]["versions"])}
    m_at = {v: i for i, v in enumerate(results["M"]["versions"])}
    assert sorted([*a_at, *m_at]) == list(range(2, 2 * n + 2))

    ds = wb.dataset("fields")
    assert ds.version == 2 * n + 1
    table = versions_are_gapless(ds)
    assert table["operation"].tolist()[2:] == ["update"] * (2 * n)
    assert table["item_count"].tolist() == [0] + [1] * (2 * n + 1)
    # The final item holds the last value each writer set, and the fields nobody touched.
    assert ds.item("shared") == Item(
        item_id="shared",
        input={"q": "2+2?"},
        expected_output=f"A{n - 1}",
        context="ctx",
        metadata={"M": n - 1},
        output=None,
        version=2 * n + 1,
    )
    # Every update is in the history, and each state carries the other writer's
    # latest value of its own field (a re-base never brings back a stale value).
    history = ds.history("shared")
    assert history["version"].tolist() == list(range(1, 2 * n + 2))
    assert history["op"].tolist() == ["add"] + ["update"] * (2 * n)
    expected_output = "init"
    metadata: dict[str, object] = {"init": True}
    for row in history.itertuples():
        if row.version in a_at:
            expected_output = f"A{a_at[row.version]}"
        elif row.version in m_at:
            metadata = {"M": m_at[row.version]}
        state: tuple[object, ...] = (row.expected_output, row.metadata, row.input, row.context)
        assert state == (expected_output, metadata, {"q": "2+2?"}, "ctx"), f"state at version {row.version}"


def test_a_stale_expected_version_is_refused_and_writes_nothing(wb: Workbench, children: Children) -> None:
    ds = wb.create_dataset("guarded")
    ds.add_items([{"item_id": f"i{k}", "input": k} for k in range(5)])
    seen = ds.version
    other = children.start(
        """
        Workbench(ROOT).dataset("guarded").add_items([{"item_id": "other", "input": "x"}])
        finish()
        """,
        "other",
    )
    children.result(other)
    versions_before = ds.versions()
    items_before = ds.items()
    files_before = sorted(p.relative_to(ds.folder) for p in ds.folder.rglob("*"))

    with pytest.raises(ConflictError, match=f"expected version {seen}"):
        ds.add_items([{"item_id": "mine", "input": 1}], expected_version=seen)
    with pytest.raises(ConflictError):
        ds.update_item("i0", expected_output="new", expected_version=seen)
    with pytest.raises(ConflictError):
        ds.delete_items(["i1"], expected_version=seen)

    assert ds.version == seen + 1
    pd.testing.assert_frame_equal(ds.versions(), versions_before)
    pd.testing.assert_frame_equal(ds.items(), items_before)
    assert sorted(p.relative_to(ds.folder) for p in ds.folder.rglob("*")) == files_before
    # The current version is accepted.
    assert ds.add_items([{"item_id": "mine", "input": 1}], expected_version=seen + 1) == seen + 2


GUARDED_ADDER = """
ds = Workbench(ROOT).dataset("guarded")
rounds = int(ARGS[0])
start = wait_for_go()
outcomes = []
for r in range(rounds):
    sleep_until(start + 0.25 * r)
    try:
        outcomes.append(["ok", ds.add_items([{"item_id": f"{TAG}-{r}", "input": r}], expected_version=r)])
    except ConflictError as exc:
        outcomes.append(["conflict", str(exc)])
finish(outcomes=outcomes)
"""


def test_two_writers_expecting_the_same_version_one_wins_one_conflicts(wb: Workbench, children: Children) -> None:
    rounds = 8
    wb.create_dataset("guarded")
    procs = {tag: children.start(GUARDED_ADDER, tag, rounds) for tag in ("a", "b")}
    children.release(list(procs), delay=0.1)
    results = {tag: children.result(proc)["outcomes"] for tag, proc in procs.items()}

    winners = []
    for r in range(rounds):
        got = {tag: results[tag][r] for tag in results}
        kinds = sorted(o[0] for o in got.values())
        assert kinds == ["conflict", "ok"], f"round {r}: {got}"
        (winner,) = (tag for tag, o in got.items() if o[0] == "ok")
        assert got[winner][1] == r + 1
        winners.append(winner)
    ds = wb.dataset("guarded")
    versions_are_gapless(ds)
    assert ds.items()["item_id"].tolist() == [f"{w}-{r}" for r, w in enumerate(winners)]


# -- the dataset's description and schemas ----------------------------------------

INFO_UPDATER = """
ds = Workbench(ROOT).dataset("described")
field, n = ARGS[0], int(ARGS[1])
start = wait_for_go()
seen = []
for i in range(n):
    sleep_until(start + 0.15 * i)  # both processes change the dataset.json at this instant
    if field == "description":
        ds.update(description=f"description {i}")
    else:
        ds.update(metadata={"round": i})
    sleep_until(start + 0.15 * i + 0.1)  # both are done: read back
    seen.append([ds.description, ds.metadata])
finish(seen=seen)
"""


def test_concurrent_changes_of_description_and_metadata_keep_both(wb: Workbench, children: Children) -> None:
    n = 12
    wb.create_dataset("described", description="first", metadata={"round": None})
    procs = {
        "d": children.start(INFO_UPDATER, "d", "description", n),
        "m": children.start(INFO_UPDATER, "m", "metadata", n),
    }
    children.release(list(procs), delay=0.1)
    results = {tag: children.result(proc)["seen"] for tag, proc in procs.items()}

    for i in range(n):
        both = [f"description {i}", {"round": i}]
        assert results["d"][i] == results["m"][i] == both, f"round {i}: {results['d'][i]} {results['m'][i]}"
    ds = wb.dataset("described")
    assert (ds.description, ds.metadata) == (f"description {n - 1}", {"round": n - 1})


SCHEMA_RACER = """
import workbench.store._table as table_mod

real_write = table_mod.write_deltalake


def paused_write(*args, **kwargs):
    say("in-write")  # the items are checked and about to be committed: pause here
    time.sleep(1.5)
    return real_write(*args, **kwargs)


table_mod.write_deltalake = paused_write
ds = Workbench(ROOT).dataset("typed")
try:
    outcome = ["ok", ds.add_items([{"item_id": f"n-{i}", "input": {"q": i}} for i in range(int(ARGS[0]))])]
except ValidationError as exc:
    outcome = ["ValidationError", str(exc)]
except WorkbenchError as exc:
    outcome = [type(exc).__name__, str(exc)]
finish(outcome=outcome)
"""


def test_a_schema_set_while_another_process_adds_items_lets_no_breaking_item_in(
    wb: Workbench, children: Children
) -> None:
    # Process B adds items whose input.q is a number; while its add is between checking
    # and committing, this process sets a schema that wants a string. One of the two
    # must be refused (or wait for the other), never both accepted.
    n = 1_000
    ds = wb.create_dataset("typed")
    ds.add_items([{"item_id": "fine", "input": {"q": "text"}}])
    schema = {"type": "object", "properties": {"q": {"type": "string"}}, "required": ["q"]}
    adder = children.start(SCHEMA_RACER, "adder", n)
    assert children.read_line(adder) == "in-write", "the test's pause before the commit did not happen"
    try:
        ds.update(input_schema=schema)
        schema_set = True
    except ValidationError:
        schema_set = False
    outcome = children.result(adder)["outcome"]

    ds = wb.dataset("typed")
    versions_are_gapless(ds)
    assert outcome[0] in ("ok", "ValidationError"), outcome
    added = outcome[0] == "ok"
    assert len(ds) == len(ds.items()) == (1 + n if added else 1)
    breaking = sum(1 for item in ds.items()["input"] if not isinstance(item["q"], str))
    if schema_set:
        assert ds.input_schema == schema
        assert breaking == 0, (
            f"the schema {schema} was set and the concurrent add_items also committed "
            f"(version {outcome[1]}): {breaking} items of the latest version break the dataset's schema"
        )


# -- starvation ------------------------------------------------------------------

SMALL_WRITER = """
ds = Workbench(ROOT).dataset("busy")
wait_for_go()
n, errors, deadline = 0, [], time.time() + 20
while not (SYNC / "stop").exists() and time.time() < deadline:
    try:
        ds.update_item("hot", output={"n": n})
        n += 1
    except WorkbenchError as exc:
        errors.append(f"{type(exc).__name__}: {exc}")
finish(commits=n, errors=errors)
"""

BIG_WRITER = """
ds = Workbench(ROOT).dataset("busy")
items = [{"item_id": f"big-{i}", "input": {"i": i}} for i in range(int(ARGS[0]))]
wait_for_go()
while ds.version < 5:  # the small writer is committing steadily
    time.sleep(0.002)
began = time.time()
try:
    outcome = ["ok", ds.add_items(items)]
except WorkbenchError as exc:
    outcome = [type(exc).__name__, str(exc)]
finally:
    (SYNC / "stop").touch()
finish(outcome=outcome, seconds=time.time() - began)
"""


def test_a_big_write_is_not_starved_by_another_process_making_small_writes(wb: Workbench, children: Children) -> None:
    # The usual eval loop (update_item per item, back to back) in one process while
    # another process adds 100,000 items: nothing logically conflicts, so both must land.
    n = 100_000
    ds = wb.create_dataset("busy")
    ds.add_items([{"item_id": "hot", "input": "q"}])
    small = children.start(SMALL_WRITER, "small")
    big = children.start(BIG_WRITER, "big", n)
    children.release(["small", "big"])
    big_result = children.result(big)
    small_result = children.result(small)

    assert small_result["errors"] == []
    assert big_result["outcome"][0] == "ok", (
        f"the big write gave up after {big_result['seconds']:.1f} s while the other process "
        f"made {small_result['commits']} small commits: {big_result['outcome']}"
    )
    ds = wb.dataset("busy")
    versions_are_gapless(ds)
    assert ds.version == 1 + small_result["commits"] + 1
    assert len(ds) == len(ds.items()) == n + 1
    assert ds.item("hot").output == {"n": small_result["commits"] - 1}


# -- a writer killed mid-write ---------------------------------------------------


KILLED_WRITER = """
ds = Workbench(ROOT).dataset(ARGS[0])
mode, jsonl, count = ARGS[1], ARGS[2], int(ARGS[3])
if mode in ("mid-stream", "end-of-stream"):
    # Hand the rows to the Delta writer in slices, to know when it is writing Parquet.
    import pyarrow as pa
    import workbench.store._table as table_mod

    real_write = table_mod.write_deltalake

    def slow_write(table, data, **kwargs):
        batches = pa.table(data).to_batches(max_chunksize=10_000)

        def feed():
            for i, batch in enumerate(batches):
                if mode == "mid-stream" and i == len(batches) // 2:
                    say("in-write")
                    time.sleep(2)
                yield batch
            if mode == "end-of-stream":
                say("in-write")

        return real_write(table, pa.RecordBatchReader.from_batches(batches[0].schema, feed()), **kwargs)

    table_mod.write_deltalake = slow_write
# Imports done: wait for this child's own turn.
go = SYNC / f"go-{TAG}"
while not go.exists():
    time.sleep(0.001)
if mode == "import":
    say("start")
    version = ds.import_jsonl(jsonl).version
else:
    items = [{"item_id": f"big-{i}", "input": {"i": i}, "expected_output": str(i)} for i in range(count)]
    say("start")
    version = ds.add_items(items, message="big")
say(f"done {version}")
"""


def prepare_history(ds: Dataset) -> list[pd.DataFrame]:
    """Give ``ds`` versions 1-3 (add, update, delete) and return the items of versions 0-3."""
    ds.add_items([{"item_id": f"old-{k}", "input": {"k": k}, "metadata": {"m": k}} for k in range(50)])
    ds.update_items([{"item_id": f"old-{k}", "expected_output": f"e{k}"} for k in range(5)])
    ds.delete_items(["old-10", "old-11", "old-12"])
    return [ds.items(v) for v in range(4)]


def check_after_kill(wb: Workbench, name: str, before: list[pd.DataFrame], big_ids: list[str]) -> int:
    """Check the dataset a killed writer left, then write to it; return the version the kill left."""
    ds = wb.dataset(name)  # opens
    latest = ds.version
    assert latest in (3, 4), f"{name}: version {latest} after a kill during the write of version 4"
    table = versions_are_gapless(ds)
    items = ds.items()
    assert len(items) == len(ds) == table["item_count"].iloc[-1]
    if latest == 4:  # the whole write, never part of it
        assert items["item_id"].tolist() == before[3]["item_id"].tolist() + big_ids
        assert table["added"].iloc[-1] == len(big_ids)
    else:
        pd.testing.assert_frame_equal(items, before[3])
    for v, expected in enumerate(before):
        pd.testing.assert_frame_equal(ds.items(v), expected, obj=f"{name} version {v}")
    # The next write works and makes the next version.
    assert ds.add_items([{"item_id": "after-crash", "input": "x"}]) == latest + 1
    assert len(ds) == len(ds.items()) == len(items) + 1
    assert ds.item("after-crash").version == latest + 1
    assert ds.update_item("old-0", output="still writable") == latest + 2
    pd.testing.assert_frame_equal(ds.items(latest), items)
    return latest


def test_a_writer_killed_mid_write_leaves_the_old_version_or_the_whole_new_one(
    wb: Workbench, children: Children, tmp_path: Path
) -> None:
    jsonl = tmp_path / "big.jsonl"
    jsonl.write_bytes(b"".join(orjson.dumps({"item_id": f"imp-{i}", "input": {"i": i}}) + b"\n" for i in range(BIG)))
    small = BIG // 4  # the rounds that stop on a signal need no more to be mid-write
    rng = random.Random()
    # (mode, what the kill waits for: the child's "in-write" signal or the write's "start", then how long)
    rounds: list[tuple[str, str, float]] = [
        ("mid-stream", "in-write", 0.0),  # surely while Parquet is being written: must leave version 3
        ("end-of-stream", "in-write", rng.uniform(0.0, 0.05)),  # the last rows are in: the flush, the commit
        ("add", "start", rng.uniform(0.0, 0.8)),  # while items are checked, or later
        ("import", "start", rng.uniform(0.2, 1.4)),
    ]
    snapshots, procs = {}, {}
    for k, (mode, anchor, _) in enumerate(rounds):
        name = f"crash-{k}"
        snapshots[name] = prepare_history(wb.create_dataset(name))
        procs[name] = children.start(KILLED_WRITER, f"w{k}", name, mode, jsonl, BIG if anchor == "start" else small)

    outcomes = []
    for k, (mode, anchor, delay) in enumerate(rounds):
        name, proc = f"crash-{k}", procs[f"crash-{k}"]
        (children.sync / f"go-w{k}").touch()
        assert children.read_line(proc) == "start"
        if anchor == "in-write":
            assert children.read_line(proc) == "in-write"
        time.sleep(delay)
        code = kill(proc)
        size = BIG if anchor == "start" else small
        big_ids = [f"imp-{i}" for i in range(size)] if mode == "import" else [f"big-{i}" for i in range(size)]
        left = check_after_kill(wb, name, snapshots[name], big_ids)
        outcomes.append((mode, anchor, delay, code, left))
        if mode == "mid-stream":
            assert code == -signal.SIGKILL
            assert left == 3, "a write killed while its Parquet was being written was committed"
    # Every dataset still lists with its true size.
    listing = wb.datasets().set_index("name")
    for k in range(len(rounds)):
        ds = wb.dataset(f"crash-{k}")
        assert listing.loc[f"crash-{k}", "items"] == len(ds.items()), outcomes


# -- creating datasets -----------------------------------------------------------

CREATOR = """
wb = Workbench(ROOT)
names = ARGS
wb.create_dataset(f"warm-{TAG}")  # first use of the libraries is slow: not during the race
start = wait_for_go()
outcomes = []
for i, name in enumerate(names):
    sleep_until(start + 0.15 * i)
    try:
        wb.create_dataset(name, description=f"made by {TAG}")
        outcomes.append(["ok", ""])
    except Exception as exc:
        outcomes.append([type(exc).__name__, str(exc)])
finish(outcomes=outcomes)
"""


def test_two_processes_creating_the_same_dataset_one_succeeds(wb: Workbench, children: Children) -> None:
    names = [f"shared-{i}" for i in range(8)]
    procs = {tag: children.start(CREATOR, tag, *names) for tag in ("a", "b")}
    children.release(list(procs), delay=0.1)
    results = {tag: children.result(proc)["outcomes"] for tag, proc in procs.items()}

    for i, name in enumerate(names):
        got = {tag: results[tag][i] for tag in results}
        kinds = sorted(o[0] for o in got.values())
        assert kinds == ["ValidationError", "ok"], f"{name}: {got}"
        (winner,) = (tag for tag, o in got.items() if o[0] == "ok")
        (loser_message,) = (o[1] for o in got.values() if o[0] != "ok")
        assert "already exists" in loser_message
        assert name in loser_message
        # The winner's dataset is whole and usable.
        ds = wb.dataset(name)
        assert ds.description == f"made by {winner}"
        assert ds.version == 0
        assert ds.add_items([{"input": name}]) == 1
        assert ds.items()["input"].tolist() == [name]
    assert wb.datasets()["name"].tolist() == sorted([*names, "warm-a", "warm-b"])
    assert sorted(p.name for p in wb.datasets_dir.iterdir()) == sorted([*names, "warm-a", "warm-b"])


CRASHING_CREATOR = """
import workbench.store._catalog as catalog_mod

name, stage = ARGS


def die():
    os.kill(os.getpid(), signal.SIGKILL)


real_create = catalog_mod.ItemLog.create
if stage == "after-item-log":
    catalog_mod.ItemLog.create = lambda path: (real_create(path), die())
elif stage == "before-rename":
    real_rename = os.rename

    def rename(src, dst, *args, **kwargs):
        if Path(dst).name == name:
            die()
        return real_rename(src, dst, *args, **kwargs)

    os.rename = rename
wb = Workbench(ROOT)
wait_for_go()
if stage == "loop":
    while not (SYNC / "go-loop").exists():
        time.sleep(0.001)
    n = 0
    while True:
        wb.create_dataset(f"{name}-{n}")
        n += 1
        if n == 1:
            say("looping")
wb.create_dataset(name)
say("created")
"""


def test_a_crash_while_creating_a_dataset_leaves_nothing_visible(wb: Workbench, children: Children) -> None:
    wb.create_dataset("bystander").add_items([{"input": 1}])
    stages = ["after-item-log", "before-rename"]
    procs = {stage: children.start(CRASHING_CREATOR, stage, f"victim-{stage}", stage) for stage in stages}
    loop = children.start(CRASHING_CREATOR, "loop", "loop", "loop")
    children.release([*stages, "loop"])
    for stage, proc in procs.items():
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == -signal.SIGKILL, f"{stage}: the child did not die mid-create: {out} {err}"
    (children.sync / "go-loop").touch()  # then kill a process creating datasets back to back at a random moment
    assert children.read_line(loop) == "looping"
    time.sleep(random.uniform(0.05, 0.3))
    assert kill(loop) == -signal.SIGKILL

    listed = wb.datasets()["name"].tolist()
    loops = [n for n in listed if n.startswith("loop-")]
    assert loops == sorted(f"loop-{i}" for i in range(len(loops)))  # every create that finished, no other
    assert sorted(set(listed) - set(loops)) == ["bystander"]
    assert wb.sql("select name from datasets order by name")["name"].tolist() == listed
    for name in loops:
        ds = wb.dataset(name)
        assert (ds.version, len(ds), ds.info.name) == (0, 0, name)
    for stage in stages:
        with pytest.raises(NotFoundError):
            wb.dataset(f"victim-{stage}")
        # The name is free: creating it again works and gives a usable dataset.
        ds = wb.create_dataset(f"victim-{stage}")
        assert ds.add_items([{"input": stage}]) == 1
    assert len(wb.dataset("bystander").items()) == 1
    assert sorted(wb.datasets()["name"]) == sorted([*loops, "bystander", *(f"victim-{s}" for s in stages)])
