"""``workbench summary`` and ``workbench compare``: output modes and the exit codes of the CI gate."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.analysis._declared import replies
from workbench import Workbench, scorers
from workbench.cli import main


def right_except(wrong: set[int], name: str) -> Callable[[int], int]:
    def target(k: int) -> int:
        return -1 if k in wrong else k

    target.__name__ = name
    return target


def exact(output: int, expected: int) -> bool:
    return output == expected


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Runs ``base`` (all right), ``same`` (all right), ``worse`` (6 of 10 wrong), ``half`` (a shard).

    Made once for the module: the commands only read them.
    """
    root = tmp_path_factory.mktemp("cli-compare") / "store"
    wb = Workbench(root)
    wb.create_dataset("d").add_items([{"item_id": f"i{k}", "input": k, "expected_output": k} for k in range(10)])
    wb.run_sync("d", right_except(set(), "a"), scorers=[exact], run_id="base")
    wb.run_sync("d", right_except(set(), "b"), scorers=[exact], run_id="same")
    wb.run_sync("d", right_except({1, 3, 5, 7, 8, 9}, "c"), scorers=[exact], run_id="worse")
    wb.run_sync("d", right_except(set(), "h"), scorers=[exact], run_id="half", shard="0/2")
    return root


def run_cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """``workbench ARGS`` in this process, through the same entry point (and error handling) as the command."""
    monkeypatch.setattr(sys, "argv", ["workbench", *args])
    with pytest.raises(SystemExit) as exit_info:
        main()
    out = capsys.readouterr()
    code = exit_info.value.code
    return (code if isinstance(code, int) else 0 if code is None else 1), out.out, out.err


def test_fail_on_regression_exits_0_without_a_regression(
    store: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_cli(monkeypatch, capsys, "--root", str(store), "compare", "base", "same", "--fail-on-regression")
    assert code == 0
    assert "No significant regression" in out


def test_fail_on_regression_exits_1_on_a_significant_regression(
    store: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = ["--root", str(store)]
    code, out, _ = run_cli(monkeypatch, capsys, *root, "compare", "base", "worse", "--fail-on-regression")
    assert code == 1
    assert "Regression: exact" in out
    assert "regressed on exact: i1, i3, i5, i7, i8, i9" in out
    # the same comparison without the flag reports it and exits 0
    assert run_cli(monkeypatch, capsys, "--root", str(store), "compare", "base", "worse")[0] == 0


def test_a_regression_within_its_margin_does_not_fail(
    store: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["--root", str(store), "compare", "base", "worse", "--fail-on-regression"]
    assert run_cli(monkeypatch, capsys, *args, "--margin", "exact=0.7")[0] == 0  # worse by 0.6
    assert run_cli(monkeypatch, capsys, *args, "--margin", "0.5")[0] == 1
    assert run_cli(monkeypatch, capsys, *args, "--alpha", "0.01")[0] == 0  # p = 2/64
    assert run_cli(monkeypatch, capsys, *args, "--direction", "exact=lower")[0] == 0


def raising_on_odd(k: int) -> int:
    if k % 2:
        raise RuntimeError(f"boom on {k}")
    return k


def test_a_candidate_that_crashes_on_half_the_items_fails_the_gate(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    wb = Workbench(tmp_path / "store")
    wb.create_dataset("d").add_items([{"item_id": f"i{k}", "input": k, "expected_output": k} for k in range(16)])
    wb.run_sync("d", right_except(set(), "a"), scorers=[exact], run_id="base")
    wb.run_sync("d", raising_on_odd, scorers=[exact], run_id="crashy")
    args = ["--root", str(tmp_path / "store"), "compare", "base", "crashy"]
    code, out, err = run_cli(monkeypatch, capsys, *args, "--fail-on-regression")
    assert code == 1
    assert "Regression: success rate" in out
    assert "warning (errors): candidate errored on 8 of 16 shared items (baseline: 0)" in err
    code, out, _ = run_cli(monkeypatch, capsys, *args, "--markdown")
    assert code == 0
    assert "Success rate: 100% -> 50% (p=0.008) REGRESSION" in out
    code, out, _ = run_cli(monkeypatch, capsys, *args, "--json")
    data = json.loads(out)
    assert data["has_regression"] is True
    assert [w["code"] for w in data["warnings"]] == ["errors"]
    success = {m["metric"]: m for m in data["metrics"]}["success_rate"]
    assert success["regression"] is True
    assert success["p_value"] == pytest.approx(2 / 2**8)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["compare", "base", "nope"], "run 'nope' does not exist"),
        (["compare", "base", "worse", "--margin", "exact=x"], "'x' is not a number"),
        (["compare", "base", "worse", "--margin", "=0.1"], "use SCORER=VALUE"),
        (["compare", "base", "worse", "--margin", "judge=0.1"], "unknown scorer 'judge'"),
        (["compare", "base", "worse", "--direction", "exact=up"], "'higher' or 'lower'"),
        (["compare", "base", "worse", "--direction", "lower"], "use SCORER=VALUE"),
        (["compare", "base", "worse", "--json", "--markdown"], "not both"),
        (["summary", "nope"], "run 'nope' does not exist"),
        (["summary", "base", "--pass-mark", "high"], "not a number"),
    ],
)
def test_bad_input_is_a_one_line_error_with_exit_code_2(
    store: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    gate = ["--fail-on-regression"] if args[0] == "compare" else []
    code, out, err = run_cli(monkeypatch, capsys, "--root", str(store), *args, *gate)
    assert code == 2
    assert err.startswith("error: ")
    assert message in err
    assert err.count("\n") == 1
    assert out == ""


def test_json_includes_the_warnings_and_markdown_is_a_pull_request_comment(
    store: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_cli(monkeypatch, capsys, "--root", str(store), "compare", "base", "half", "--json")
    data = json.loads(out)
    assert code == 0
    assert [w["code"] for w in data["warnings"]] == ["partial_run", "coverage"]
    assert data["scorers"][0]["n"] == 5
    assert err == ""
    code, out, err = run_cli(monkeypatch, capsys, "--root", str(store), "compare", "base", "half")
    assert "warning (partial_run): the candidate run half is partial: 5 of 10 items" in err
    code, out, _ = run_cli(monkeypatch, capsys, "--root", str(store), "compare", "base", "worse", "--markdown")
    assert out.startswith("### Candidate worse (c) vs baseline base (a)")
    assert "| exact ↑ | 1 | 0.4 | -0.6 |" in out


def test_summary_as_table_json_and_markdown(
    store: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_cli(monkeypatch, capsys, "--root", str(store), "summary", "worse", "--json")
    data = json.loads(out)
    assert code == 0
    assert data["overview"]["items"] == 10
    assert data["scorers"][0]["mean"] == pytest.approx(0.4)
    root = ["--root", str(store)]
    code, out, _ = run_cli(monkeypatch, capsys, *root, "summary", "half", "--pass-mark", "exact=1", "--json")
    assert json.loads(out)["scorers"][0]["pass_mark"] == 1.0
    assert json.loads(out)["overview"]["coverage"] == 0.5
    code, out, _ = run_cli(monkeypatch, capsys, *root, "summary", "worse", "--markdown")
    assert "| exact ↑ | 10 | 0.4 |" in out
    code, out, _ = run_cli(monkeypatch, capsys, *root, "summary", "worse")
    assert code == 0
    assert "Run worse" in out
    assert "40.0% (≥ 0.5)" in out


@pytest.mark.slow
def test_the_installed_command_exits_1_on_a_regression(store: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "WORKBENCH_ROOT"}
    args = [sys.executable, "-m", "workbench", "--root", str(store), "compare", "base", "worse", "--fail-on-regression"]
    out = subprocess.run(args, capture_output=True, text=True, env=env, timeout=120, check=False)
    assert out.returncode == 1, out.stderr
    assert "Regression: exact" in out.stdout


def fragile(output: int) -> float:
    """A scorer that broke: it raises on every unit."""
    raise ValueError(f"cannot score {output}")


def steady(output: int) -> float:
    return 1.0


@pytest.fixture(scope="module")
def dead_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``ok``: scored by ``check`` on every item; ``broken``: its ``check`` raised on every item;
    ``few``: 4 of the 10 items; ``cached``: every reply from the response cache."""
    root = tmp_path_factory.mktemp("cli-dead") / "store"
    wb = Workbench(root)
    wb.create_dataset("d").add_items([{"item_id": f"i{k}", "input": k, "expected_output": k} for k in range(10)])
    check = scorers.scorer(steady, name="check")
    wb.run_sync("d", right_except(set(), "a"), scorers=[check], run_id="ok")
    wb.run_sync("d", right_except(set(), "b"), scorers=[scorers.scorer(fragile, name="check")], run_id="broken")
    wb.run_sync("d", right_except(set(), "c"), scorers=[check], run_id="few", item_ids=["i0", "i1", "i2", "i3"])
    wb.run_sync("d", replies(lambda k: True, fresh_latency=0.0), scorers=[check], run_id="cached")
    return root


def test_a_dead_scorer_fails_the_gate_unless_allowed(
    dead_store: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["--root", str(dead_store), "compare", "ok", "broken", "--fail-on-regression"]
    code, out, err = run_cli(monkeypatch, capsys, *args)
    assert code == 1
    assert "Dead scorer: check" in out
    assert "warning (dead_scorer): scorer check has no score to compare" in err
    code, out, err = run_cli(monkeypatch, capsys, *args, "--allow-dead-scorers")
    assert code == 0
    assert "allowed by allow_dead_scorers" in err
    code, out, _ = run_cli(monkeypatch, capsys, *args, "--json")
    assert json.loads(out)["dead_scorers"] == ["check"]


def test_coverage_and_cache_use_are_warned(
    dead_store: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = ["--root", str(dead_store)]
    code, _, err = run_cli(monkeypatch, capsys, *root, "compare", "ok", "few", "--fail-on-regression")
    assert code == 0
    assert "warning (coverage): the candidate covers 4 of the baseline's 10 items" in err
    code, out, err = run_cli(monkeypatch, capsys, *root, "compare", "ok", "cached")
    assert "warning (cache_mixed): the runs differ in their use of the cache" in err
    assert "Cache hits: baseline 0.0%, candidate 100.0% of units (left out of latency and cost)." in out
    code, out, _ = run_cli(monkeypatch, capsys, *root, "compare", "ok", "cached", "--json")
    data = json.loads(out)
    assert (data["baseline_cache_hit_share"], data["candidate_cache_hit_share"]) == (0.0, 1.0)
    code, out, _ = run_cli(monkeypatch, capsys, *root, "summary", "cached", "--json")
    assert json.loads(out)["overview"]["cache_hit_share"] == 1.0
