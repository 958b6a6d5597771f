"""Labels: storage and history, effective label, automatic rules, the CLI command."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.runs._support import make_dataset
from workbench import NotFoundError, Run, ValidationError, Workbench
from workbench.errors import CorruptFileError
from workbench.project import TAXONOMY_FILE
from workbench.runs import InvalidLabelError, validate_label
from workbench.runs._labels import DEFAULT_RULES, LABELS_DIR, OUTCOMES, Unit, auto_label, score_rules


def label_parts(run: Run) -> list[Path]:
    folder = run.folder / LABELS_DIR
    return sorted(folder.iterdir()) if folder.is_dir() else []


def small_run(wb: Workbench) -> Run:
    make_dataset(wb, 3)

    def right(output: Any, expected: Any) -> bool:
        return bool(output == expected)

    return wb.run_sync("d", lambda x: x * 2 if x != 1 else 0, scorers=[right])


def test_labels_are_stored_with_their_history(wb: Workbench) -> None:
    run = small_run(wb)
    run.label("i00", "success", note="looks fine", author="ann")
    run.label("i00", "failure_logic_bug", note="actually wrong", author="bob")
    history = run.labels(history=True)
    assert list(history["label"]) == ["success", "failure_logic_bug"]
    assert list(history["author"]) == ["ann", "bob"]
    assert set(history["source"]) == {"human"}
    assert len(label_parts(run)) == 2
    effective = run.labels()
    assert len(effective) == 1
    first = effective.iloc[0]
    assert (first["item_id"], first["repeat"], first["label"]) == ("i00", 0, "failure_logic_bug")
    assert first["note"] == "actually wrong"


def test_the_author_defaults_to_user_and_labels_added_to_the_store_are_accepted(
    wb: Workbench, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("USER", "carol")
    run = small_run(wb)
    assert wb.add_labels("needs_review_2") == (*OUTCOMES, "needs_review_2")
    given = run.label("i01", "needs_review_2")
    assert (given.author, given.run_id, given.source) == ("carol", run.id, "human")
    assert run.labels()["label"].tolist() == ["needs_review_2"]


def test_a_typo_is_refused_with_the_closest_label_in_one_line(wb: Workbench) -> None:
    run = small_run(wb)
    cases = {
        "halucination": "did you mean 'failure_hallucination'?",
        "hallucination": "did you mean 'failure_hallucination'?",
        "sucess": "did you mean 'success'?",
        "logic bug": "did you mean 'failure_logic_bug'?",
    }
    for typo, hint in cases.items():
        with pytest.raises(InvalidLabelError) as caught:
            run.label("i00", typo)
        assert hint in str(caught.value)
        assert "\n" not in str(caught.value)
    with pytest.raises(InvalidLabelError) as caught:
        run.label("i00", "halucination")
    assert str(caught.value) == (
        "label 'halucination' is not in this store's labels: did you mean 'failure_hallucination'? "
        "(to add it: wb.add_labels('halucination') or workbench labels --add halucination)"
    )
    with pytest.raises(InvalidLabelError, match=r"^label 'Success' is not valid: did you mean 'success'\?$"):
        run.label("i00", "Success")
    with pytest.raises(
        InvalidLabelError, match=r"'needs_review' is not in this store's labels: the labels are success, "
    ):
        run.label("i00", "needs_review")  # nothing close: the whole taxonomy
    assert isinstance(caught.value, ValidationError)
    assert label_parts(run) == []


def test_the_taxonomy_is_per_store_and_kept_in_the_store(wb: Workbench, tmp_path: Path) -> None:
    other = Workbench(tmp_path / "other")
    assert wb.label_taxonomy() == OUTCOMES
    wb.add_labels("needs_review", "failure_outdated_source")
    wb.add_labels("needs_review", "success")  # already there: nothing changes
    assert wb.label_taxonomy() == (*OUTCOMES, "needs_review", "failure_outdated_source")
    assert Workbench(wb.root).label_taxonomy() == wb.label_taxonomy()  # read back from the store
    assert json.loads((wb.root / TAXONOMY_FILE).read_bytes()) == {"labels": ["needs_review", "failure_outdated_source"]}
    assert other.label_taxonomy() == OUTCOMES
    run = small_run(other)
    with pytest.raises(InvalidLabelError, match="not in this store's labels"):
        run.label("i00", "needs_review")
    assert validate_label("needs_review", wb.label_taxonomy()) == "needs_review"


def test_a_bad_label_name_is_not_added(wb: Workbench) -> None:
    for bad in ("", "Needs Review", "x" * 65, "échec"):
        with pytest.raises(InvalidLabelError, match="is not valid: a label is 1-64 lowercase letters"):
            wb.add_labels("fine_one", bad)
    with pytest.raises(InvalidLabelError, match="give at least one label name"):
        wb.add_labels()
    assert wb.label_taxonomy() == OUTCOMES
    assert not (wb.root / TAXONOMY_FILE).exists()


def test_a_damaged_taxonomy_file_is_named(wb: Workbench) -> None:
    wb.root.mkdir(parents=True, exist_ok=True)
    (wb.root / TAXONOMY_FILE).write_text('{"labels": "needs_review"}')
    with pytest.raises(CorruptFileError, match=r"labels\.json is damaged: it must hold"):
        wb.label_taxonomy()
    (wb.root / TAXONOMY_FILE).write_text('{"labels": ["Bad Name"]}')
    with pytest.raises(CorruptFileError, match=r"labels\.json is damaged: label 'Bad Name' is not valid"):
        wb.add_labels("ok")


def test_automatic_labels_may_be_any_label_name(wb: Workbench) -> None:
    run = small_run(wb)
    assert run.auto_label(rules=[("failure_timeout_budget", lambda u: True)]) == 3
    assert set(run.labels()["label"]) == {"failure_timeout_budget"}
    with pytest.raises(InvalidLabelError):
        run.auto_label(rules=[("Not a label", lambda u: True)])


def test_a_human_label_beats_a_later_automatic_one(wb: Workbench) -> None:
    run = small_run(wb)
    run.label("i00", "failure_refusal", author="ann")
    assert run.auto_label() == 3
    effective = run.labels().set_index("item_id")
    assert effective.loc["i00", "label"] == "failure_refusal"
    assert effective.loc["i00", "source"] == "human"
    assert effective.loc["i01", "label"] == "failure_logic_bug"  # 1 -> 0, expected 2: the scorer says 0
    assert effective.loc["i02", "label"] == "success"
    assert effective.loc["i02", "source"] == "auto"
    assert len(run.labels(history=True)) == 4


def test_the_latest_automatic_label_wins_among_automatic_ones(wb: Workbench) -> None:
    run = small_run(wb)
    run.auto_label()
    run.auto_label(rules=[("failure_format", lambda u: True)])
    assert set(run.labels()["label"]) == {"failure_format"}


def test_a_bad_label_or_an_unknown_unit_raises_and_writes_nothing(wb: Workbench) -> None:
    run = small_run(wb)
    for bad in ("", "Success", "fail ure", "x" * 65, "échec"):
        with pytest.raises(ValidationError):
            run.label("i00", bad)
    with pytest.raises(NotFoundError):
        run.label("nope", "success")
    with pytest.raises(NotFoundError):
        run.label("i00", "success", repeat=3)
    assert label_parts(run) == []
    assert run.labels().empty
    assert list(run.labels().columns) == ["item_id", "repeat", "label", "source", "author", "note", "created_at"]


def row(**fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"output": '"fine"', "error": None, "error_kind": None, "tool_calls": None, "scores": []}
    return base | fields


def scores(**values: float) -> list[dict[str, Any]]:
    return [{"scorer": k, "score": v, "reason": "", "details": None, "error": None} for k, v in values.items()]


def test_auto_rules_give_each_outcome() -> None:
    good_call = {"name": "f", "error": None, "valid": True}
    cases = {
        "error_infra": row(output=None, error="429", error_kind="rate_limit"),
        "failure_tool_error": row(tool_calls=json.dumps([good_call, {"name": "g", "error": "boom", "valid": True}])),
        "failure_refusal": row(output=json.dumps("I'm sorry, but I can't help with that.")),
        "failure_format": row(scores=scores(valid_json=0.0, exact=1.0)),
        "failure_hallucination": row(scores=scores(faithfulness=0.2, exact=1.0)),
        "success": row(scores=scores(exact=1.0, judge=0.5)),
        "partial_success": row(scores=scores(exact=1.0, contains=0.0)),
        "failure_logic_bug": row(scores=scores(exact=0.0, contains=0.1)),
    }
    assert set(cases) == set(OUTCOMES)
    for expected, r in cases.items():
        assert auto_label(r) == expected, expected
    # an invalid (schema-breaking) tool call is a tool error too; a target exception is a logic bug
    assert auto_label(row(tool_calls=[{"name": "f", "error": None, "valid": False}])) == "failure_tool_error"
    assert auto_label(row(output=None, error="ValueError: x", error_kind="exception")) == "failure_logic_bug"
    # no scores and no error: no evidence, no label
    assert auto_label(row()) is None
    # a results() row (score_<name> columns) works like a raw one
    assert auto_label({"output": '"ok"', "score_exact": 1.0, "score_judge": float("nan")}) == "success"


def test_rules_are_configurable() -> None:
    def long_answer(unit: Unit) -> str | None:
        return "too_long" if len(unit.output_text) > 10 else None

    r = row(output=json.dumps("a very long answer indeed"), scores=scores(exact=0.7))
    assert auto_label(r) == "success"
    assert auto_label(r, [long_answer, *DEFAULT_RULES]) == "too_long"
    assert auto_label(r, score_rules(threshold=0.8)) == "failure_logic_bug"
    assert auto_label(r, [("custom", lambda u: u.scores["exact"] > 0.5)]) == "custom"
    assert auto_label(r, []) is None


def cli(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "WORKBENCH_ROOT"}
    return subprocess.run(
        [sys.executable, "-m", "workbench", "--root", str(root), *args],
        capture_output=True, text=True, env=env, timeout=120, check=False,
    )  # fmt: skip


@pytest.mark.slow
def test_the_cli_labels_a_result(wb: Workbench) -> None:
    run = small_run(wb)
    out = cli(wb.root, "label", run.id, "i02", "partial_success", "--note", "close", "--author", "dan", "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert (data["item_id"], data["label"], data["author"], data["note"]) == ("i02", "partial_success", "dan", "close")
    assert run.labels()["label"].tolist() == ["partial_success"]

    out = cli(wb.root, "label", run.id, "i02", "Not Valid")
    assert out.returncode == 2
    assert out.stderr.startswith("error: label 'Not Valid' is not valid: the labels are success, ")
    out = cli(wb.root, "label", run.id, "zz", "success")
    assert out.returncode == 2
    assert "no result for item 'zz'" in out.stderr
    out = cli(wb.root, "label", run.id, "i00", "success", "--repeat", "0")
    assert out.returncode == 0, out.stderr
    assert "labelled i00" in out.stdout
    assert len(run.labels(history=True)) == 2


@pytest.mark.slow
def test_the_cli_refuses_a_typo_with_the_closest_label_and_extends_the_taxonomy(wb: Workbench) -> None:
    run = small_run(wb)
    out = cli(wb.root, "label", run.id, "i01", "halucination")
    assert out.returncode == 2
    assert out.stderr.splitlines() == [
        "error: label 'halucination' is not in this store's labels: did you mean 'failure_hallucination'? "
        "(to add it: wb.add_labels('halucination') or workbench labels --add halucination)"
    ]
    out = cli(wb.root, "labels", "--add", "needs_review", "--add", "failure_outdated_source", "--json")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == [*OUTCOMES, "needs_review", "failure_outdated_source"]
    assert cli(wb.root, "label", run.id, "i01", "needs_review").returncode == 0
    listed = cli(wb.root, "labels").stdout.splitlines()
    assert listed == [*OUTCOMES, "needs_review  (added)", "failure_outdated_source  (added)"]
    assert cli(wb.root, "labels", "--add", "Bad Name").stderr.startswith("error: label 'Bad Name' is not valid")
    assert run.labels()["label"].tolist() == ["needs_review"]
