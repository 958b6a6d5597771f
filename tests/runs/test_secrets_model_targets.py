"""No API key reaches the store, the logs or a report when a gateway echoes it back (defect 12.8).

Model targets run through the official ``openai`` and ``anthropic`` clients against a
gateway that puts the request's ``Authorization`` / ``x-api-key`` headers in its 400 and
401 bodies (and a 503 first, retried). The key is handed over four ways: the
environment, ``api_key=``, the ``base_url``'s user-info, and request/client headers.
Then every byte of the store (Parquet decoded too) and every log line is searched.
"""

from __future__ import annotations

import json
import logging
import uuid
from pathlib import Path
from typing import Any

import pytest

from workbench import Workbench, targets

from ._echo_gateway import EchoGateway, forms, hits, leaks

MODELS = {"openai": "openai:gpt-4o-mini", "anthropic": "anthropic:claude-haiku-4-5"}
KEY_VARS = {"openai": "OPENAI_API_KEY", "anthropic": "ANTHROPIC_API_KEY"}
WAYS = ("env", "api_key", "base_url", "extra_headers", "default_headers")


@pytest.fixture(autouse=True)
def hermetic(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No provider variables from the environment, and a working folder without ``.env``."""
    for name in (*KEY_VARS.values(), "OPENAI_BASE_URL", "ANTHROPIC_BASE_URL", "ANTHROPIC_AUTH_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)


@pytest.fixture
def gateway() -> Any:
    """The echoing gateway: a 503 (retried), a 400 (the item's error), then 401s (the run stops)."""
    with EchoGateway((503, 400, 401)) as gw:
        yield gw


def fresh_key() -> str:
    """A key no other test (or variable) holds."""
    return f"sk-leak-{uuid.uuid4().hex}"


def leaky_target(provider: str, way: str, key: str, gateway: EchoGateway, monkeypatch: pytest.MonkeyPatch) -> Any:
    """A model target that sends ``key`` to the gateway the given way."""
    header = "Authorization" if provider == "openai" else "x-api-key"
    value = f"Bearer {key}" if header == "Authorization" else key
    url = gateway.url(provider)
    if way == "env":
        monkeypatch.setenv(KEY_VARS[provider], key)
        return targets.model(MODELS[provider], base_url=url)
    if way == "api_key":
        return targets.model(MODELS[provider], base_url=url, api_key=key)
    if way == "base_url":
        return targets.model(MODELS[provider], base_url=gateway.url(provider, f"user:{key}"))
    if way == "extra_headers":
        return targets.model(MODELS[provider], base_url=url, extra_headers={header: value, "X-Gateway-Key": key})
    return targets.model(MODELS[provider], base_url=url, default_headers={header: value, "X-Gateway-Token": key})


def run_leaky(wb: Workbench, target: Any) -> Any:
    """Three items at concurrency 1: a 503 then a 400 for the first, a 401 (the run stops) for the next."""
    ds = wb.create_dataset("qa")
    ds.add_items([{"item_id": f"i{n}", "input": f"question {n}"} for n in range(3)])
    return wb.run("qa", target, concurrency=1, max_retries=2, cache=False, progress=False).wait()


@pytest.mark.parametrize("provider", ["openai", "anthropic"])
@pytest.mark.parametrize("way", WAYS)
def test_an_echoed_key_reaches_no_file_of_the_store(
    wb: Workbench,
    gateway: EchoGateway,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    provider: str,
    way: str,
) -> None:
    key = fresh_key()
    caplog.set_level(logging.DEBUG, logger="workbench")
    run = run_leaky(wb, leaky_target(provider, way, key, gateway, monkeypatch))
    sent = " ".join(v for h in gateway.seen for v in h.values())
    assert any(form in sent for form in forms(key)), "the key did not travel: the test would prove nothing"
    df = run.results()
    assert df["error"].notna().any(), "the gateway's errors were not recorded"
    assert run.manifest.status == "failed"  # the 401 stops the run, its message kept in the manifest
    assert leaks(wb.root, forms(key)) == []
    assert hits([r.getMessage() for r in caplog.records] + [caplog.text], forms(key)) == []
    assert hits([str(v) for v in df.to_dict("records")], forms(key)) == []


@pytest.mark.parametrize("provider", ["openai", "anthropic"])
def test_a_reply_repeating_the_key_is_stored_and_cached_without_it(
    wb: Workbench, monkeypatch: pytest.MonkeyPatch, provider: str
) -> None:
    key = fresh_key()
    with EchoGateway((200,)) as gateway:
        target = leaky_target(provider, "extra_headers", key, gateway, monkeypatch)
        ds = wb.create_dataset("qa")
        ds.add_items([{"item_id": "i0", "input": "what is my key?"}])
        run = wb.run("qa", target, cache=True, progress=False).wait()
    output = run.results()["output"].iloc[0]
    assert "rejected: authorization=" in output
    assert "[redacted]" in output
    assert any((wb.root / "cache").rglob("*.json")), "the reply was not cached: the test would prove nothing"
    assert leaks(wb.root, forms(key)) == []


@pytest.mark.parametrize("provider", ["openai", "anthropic"])
def test_the_manifest_keeps_the_url_without_user_info_and_header_names_without_values(
    wb: Workbench, gateway: EchoGateway, monkeypatch: pytest.MonkeyPatch, provider: str
) -> None:
    key = fresh_key()
    url = gateway.url(provider, f"user:{key}")
    target = targets.model(MODELS[provider], base_url=url, extra_headers={"X-Title": "evals", "X-Gateway-Key": key})
    run = run_leaky(wb, target)
    spec = run.manifest.target
    assert spec["base_url"] == url.replace(f"user:{key}@", "***@")
    assert spec["params"]["extra_headers"] == {"X-Title": "***", "X-Gateway-Key": "***"}
    assert "[redacted]" in (run.manifest.shards["0/1"].error or "")  # the 401's echo, blanked out


@pytest.mark.slow
def test_a_report_over_a_leaky_run_shows_no_key(
    wb: Workbench, gateway: EchoGateway, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A notebook printing the run's errors and the key itself: the page shows the errors, never the key.

    The key was only ever an ``api_key=`` argument of this process; the notebook's kernel
    does not know it, the page is redacted here.
    """
    from workbench.report import report

    key = fresh_key()
    run = run_leaky(wb, leaky_target("openai", "api_key", key, gateway, monkeypatch))
    notebook = tmp_path / "errors.ipynb"
    notebook.write_text(json.dumps(errors_notebook()), encoding="utf-8")
    out = report(notebook, {"run_id": run.id, "note": f"the key is {key}"}, tmp_path / "errors.html", root=wb.root)
    html = out.read_text(encoding="utf-8")
    assert "rejected: authorization=" in html  # the echoed errors are on the page...
    assert "the key is [redacted]" in html
    assert hits([html], forms(key)) == []  # ...without the key
    assert leaks(wb.root, forms(key)) == []


def errors_notebook() -> dict[str, Any]:
    """A notebook that prints a run's errors and a note."""

    def cell(source: str, tags: list[str] | None = None) -> dict[str, Any]:
        meta = {"tags": tags} if tags else {}
        cell_id = uuid.uuid4().hex[:8]
        return {
            "id": cell_id,
            "cell_type": "code",
            "metadata": meta,
            "source": source,
            "outputs": [],
            "execution_count": None,
        }

    return {
        "nbformat": 4,
        "nbformat_minor": 5,
        "metadata": {"kernelspec": {"name": "eval-workbench", "display_name": "Eval Workbench", "language": "python"}},
        "cells": [
            {"id": "title", "cell_type": "markdown", "metadata": {}, "source": "# Errors"},
            cell("root = None\nrun_id = None\nnote = None", ["parameters"]),
            cell("from workbench import Workbench\nrun = Workbench(root).get_run(run_id)"),
            cell("for error in run.results()['error']:\n    print(error)"),
            cell("print(note)"),
        ],
    }
