"""``workbench summary --direction``/``--pass-mark``: a lower-is-better scorer passes at or below its pass mark."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.analysis._declared import declare
from workbench import Workbench
from workbench.cli import main


def wrong_on_one(k: int) -> int:
    return -1 if k == 1 else k


def wrongness(output: Any, expected: Any) -> float:
    """Lower is better: 1 when the output is wrong, 0 when it is right."""
    return float(output != expected)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Run ``r``: four items, wrong on i1 only, scored by ``wrongness`` (0, 1, 0, 0)."""
    root = tmp_path_factory.mktemp("cli-summary") / "store"
    wb = Workbench(root)
    wb.create_dataset("d").add_items([{"item_id": f"i{k}", "input": k, "expected_output": k} for k in range(4)])
    wb.run_sync("d", wrong_on_one, scorers=[wrongness], run_id="r")
    return root


def run_cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "argv", ["workbench", *args])
    with pytest.raises(SystemExit) as exit_info:
        main()
    out = capsys.readouterr()
    code = exit_info.value.code
    return (code if isinstance(code, int) else 0 if code is None else 1), out.out, out.err


def pass_rate(out: str) -> float:
    return float(json.loads(out)["scorers"][0]["pass_rate"])


def test_direction_lower_passes_scores_at_or_below_the_pass_mark(
    store: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_cli(monkeypatch, capsys, "--root", str(store), "summary", "r", "--json")
    assert code == 0
    assert pass_rate(out) == pytest.approx(1 / 4)  # higher is better by default: only the wrong item's 1 passes
    args = ["--root", str(store), "summary", "r", "--json", "--direction", "wrongness=lower"]
    code, out, _ = run_cli(monkeypatch, capsys, *args)
    assert code == 0
    assert pass_rate(out) == pytest.approx(3 / 4)  # the three zeros pass at or below 0.5
    code, out, _ = run_cli(monkeypatch, capsys, *args, "--pass-mark", "wrongness=0")
    assert pass_rate(out) == pytest.approx(3 / 4)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("wrongness=down", "the direction is 'higher' or 'lower'"),
        ("lower", "use SCORER=VALUE"),
        ("nope=lower", "unknown scorer 'nope'"),
    ],
)
def test_a_bad_direction_is_a_one_line_error(
    store: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], value: str, message: str
) -> None:
    code, out, err = run_cli(monkeypatch, capsys, "--root", str(store), "summary", "r", "--direction", value)
    assert code == 2
    assert message in err
    assert out == ""


def test_the_scorers_declared_direction_and_pass_mark_need_no_option(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    wb = Workbench(tmp_path / "store")
    wb.create_dataset("d").add_items([{"item_id": f"i{k}", "input": k, "expected_output": k} for k in range(4)])
    run = wb.run_sync("d", wrong_on_one, scorers=[wrongness], run_id="r")
    declare(run, "wrongness", direction="lower", pass_mark=0.0)
    args = ["--root", str(wb.root), "summary", "r"]
    code, out, _ = run_cli(monkeypatch, capsys, *args, "--json")
    assert code == 0
    row = json.loads(out)["scorers"][0]
    assert (row["direction"], row["pass_mark"], row["pass_rate"]) == ("lower", 0.0, pytest.approx(3 / 4))
    code, out, _ = run_cli(monkeypatch, capsys, *args, "--json", "--pass-mark", "wrongness=1")
    assert pass_rate(out) == 1.0  # the option overrides the declared pass mark: every score is at or below 1
    code, out, _ = run_cli(monkeypatch, capsys, *args, "--markdown")
    assert "| wrongness ↓ | 4 |" in out
    assert "| cache hits | none |" in out
