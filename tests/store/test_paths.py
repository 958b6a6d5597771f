"""Store folders and dataset names a user may pick: spaces, %, #, {, [, ^ and non-ASCII (issue 12, defect 1).

Delta Lake hands back URL-encoded file paths, and DuckDB reads ``[``, ``*`` and ``?`` in a path
as a glob: neither may reach a user. Every path below must work end to end (write, read, older
version, history, diff, export, import, ``wb.sql`` over items and a run, the runs listing), or be
refused before anything is written with a one-line reason.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from workbench import Workbench
from workbench.errors import InvalidNameError
from workbench.runs._results import RESULT_SCHEMA
from workbench.store._names import folder_name, name_of_folder
from workbench.store._table import duckdb_path

ROOTS = ["My Projects/evals", "données", "a%b#{x}", "st*r?", "o'brien"]
NAMES = ["support tickets", "q[1]^", "日本", "a%20b", "50% off", "x=5B", "#1 {draft}"]


def exact(output: object, expected: object) -> bool:
    """1 when the output is the expected output."""
    return output == expected


def shout(text: str) -> str:
    """The input in capitals."""
    return text.upper()


@pytest.mark.parametrize("root", ROOTS)
def test_every_operation_works_under_a_store_folder_and_dataset_names_a_user_may_pick(
    tmp_path: Path, root: str
) -> None:
    wb = Workbench(tmp_path / root)
    for name in NAMES:
        ds = wb.create_dataset(name, description=f"about {name}")
        assert ds.name == name
        assert ds.add_items([{"item_id": "a", "input": "hi", "expected_output": "HI"}]) == 1
        assert ds.update_item("a", expected_output="Hi!") == 2
        assert ds.add_items([{"item_id": "b", "input": "yo", "expected_output": "YO"}]) == 3
        assert ds.items()["expected_output"].tolist() == ["Hi!", "YO"]
        assert ds.items(1)["expected_output"].tolist() == ["HI"]
        assert ds.item("a").expected_output == "Hi!"
        assert ds.history("a")["expected_output"].tolist() == ["HI", "Hi!"]
        assert ds.versions()["version"].tolist() == [0, 1, 2, 3]
        assert ds.diff(1, 3).set_index("item_id")["change"].to_dict() == {"a": "changed", "b": "added"}
        out = ds.export(tmp_path / root / "exports" / f"{name}.jsonl")
        copy = wb.create_dataset(f"{name} copy")
        assert copy.import_jsonl(out).imported == 2
        assert copy.items()[["item_id", "input", "expected_output"]].to_dict("records") == [
            {"item_id": "a", "input": "hi", "expected_output": "Hi!"},
            {"item_id": "b", "input": "yo", "expected_output": "YO"},
        ]
    assert sorted(wb.datasets()["name"]) == sorted([*NAMES, *(f"{n} copy" for n in NAMES)])
    by_name = wb.sql("select dataset, count(*) as n from items group by dataset")
    assert dict(zip(by_name["dataset"], by_name["n"], strict=True)) == dict.fromkeys(by_name["dataset"], 2)
    assert len(by_name) == 2 * len(NAMES)

    run = wb.run_sync(NAMES[1], shout, scorers=[exact])
    assert run.manifest.status == "completed"
    results = wb.sql("select item_id, output from results order by item_id")
    assert results["item_id"].tolist() == ["a", "b"]
    assert results["output"].tolist() == ['"HI"', '"YO"']  # JSON text inside SQL
    assert wb.sql("select count(*) as n from scores")["n"].tolist() == [2]
    assert wb.sql("select dataset from runs")["dataset"].tolist() == [NAMES[1]]
    assert wb.runs()["run_id"].tolist() == [run.id]


def test_a_renamed_and_a_deleted_dataset_with_an_escaped_folder_behave_like_any_other(wb: Workbench) -> None:
    ds = wb.create_dataset("q[1]^")
    ds.add_items([{"input": 1}])
    renamed = wb.rename_dataset("q[1]^", "plain")
    assert renamed.name == "plain"
    assert len(renamed.items()) == 1
    back = wb.rename_dataset("plain", "100%")
    assert back.name == "100%"
    wb.delete_dataset("100%")
    assert wb.datasets().empty


@pytest.mark.parametrize("name", ["plain", "q[1]^", "a%20b", "x=5B", "=", "%", "^^", "[]"])
def test_a_dataset_folder_name_maps_back_to_its_name(name: str) -> None:
    folder = folder_name(name)
    assert name_of_folder(folder) == name
    assert not any(ch in folder for ch in "[]^%")


@pytest.mark.parametrize(("root", "bad"), [("a%20b#{x}", "%20"), ("evals[old]", "["), ("x^y", "^"), ("a|b", "|")])
def test_a_store_folder_delta_lake_cannot_use_is_refused_before_anything_is_written(
    tmp_path: Path, root: str, bad: str
) -> None:
    with pytest.raises(InvalidNameError, match=re.escape(f"contains {bad!r}")) as caught:
        Workbench(tmp_path / root)
    assert "Delta Lake" in str(caught.value)
    assert "\n" not in str(caught.value)
    assert not (tmp_path / root).exists()


def test_duckdb_reads_a_path_with_glob_characters_literally(tmp_path: Path) -> None:
    import duckdb

    for folder, value in (("r1", "decoy"), ("r[1]", "real"), ("s*", "star"), ("sx", "decoy too")):
        (tmp_path / folder).mkdir()
        pq.write_table(pa.table({"v": [value]}), tmp_path / folder / "part.parquet")
    con = duckdb.connect()
    for folder, value in (("r[1]", "real"), ("s*", "star")):
        path = duckdb_path(tmp_path / folder / "part.parquet")
        assert con.sql(f"select v from read_parquet('{path}')").fetchall() == [(value,)]


def test_a_store_folder_with_glob_characters_never_reads_a_look_alike_folder(tmp_path: Path) -> None:
    wb = Workbench(tmp_path / "st*r?")
    wb.create_dataset("d").add_items([{"item_id": "a", "input": "hi"}, {"item_id": "b", "input": "yo"}])
    run = wb.run_sync("d", shout)
    # A look-alike store that a glob of the first one's path would match: same run, same files.
    shutil.copytree(tmp_path / "st*r?", tmp_path / "stXrY")
    other_results = tmp_path / "stXrY" / "runs" / run.id / "results"
    template = run.results().iloc[0]
    row = dict.fromkeys(RESULT_SCHEMA.names) | {
        "item_id": "c", "repeat": 0, "finished_at": template["finished_at"], "scores": [],
    }  # fmt: skip
    pq.write_table(pa.Table.from_pylist([row], schema=RESULT_SCHEMA), other_results / "part-decoy.parquet")
    assert len(run.results()) == 2
    assert len(run.scores()) == 0
    assert wb.sql("select count(*) as n from results")["n"].tolist() == [2]
    assert wb.sql("select count(*) as n from items")["n"].tolist() == [2]
    assert len(wb.dataset("d").items()) == 2
