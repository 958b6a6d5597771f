"""``workbench.secrets``: which values are secrets, and how texts, objects, logs and errors are redacted."""

from __future__ import annotations

import base64
import logging
import os
import subprocess
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest

from workbench.errors import ValidationError
from workbench.providers import ProviderError
from workbench.providers._openai import OpenAIProvider
from workbench.runs._manifest import RunManifest
from workbench.secrets import (
    HIDDEN,
    REDACTED,
    is_secret_header,
    known_secrets,
    redact,
    redact_obj,
    register_headers,
    register_secret,
    register_url,
    secret_values,
    strip_userinfo,
)
from workbench.specs import Spec
from workbench.targets import build_target


def fresh(prefix: str = "sk-unit") -> str:
    """A secret-looking value no one else holds."""
    return f"{prefix}-{uuid.uuid4().hex}"


def test_a_registered_secret_is_redacted_everywhere_in_a_text() -> None:
    key = fresh()
    assert redact(f"a {key} b {key}") == f"a {key} b {key}"  # not known yet
    register_secret(key)
    assert key in known_secrets()
    assert redact(f"a {key} b {key}c") == f"a {REDACTED} b {REDACTED}c"


def test_values_shorter_than_eight_characters_are_never_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    register_secret("seven77")
    monkeypatch.setenv("SHORT_API_KEY", "1234567")
    monkeypatch.setenv("TOKENIZERS_PARALLELISM", "false")
    assert "seven77" not in known_secrets()
    assert "1234567" not in known_secrets()
    assert redact("seven77 1234567 false") == "seven77 1234567 false"


def test_a_bearer_header_value_registers_the_token_alone_too() -> None:
    token = fresh("tok")
    register_headers({"Authorization": f"Bearer {token}", "X-Title": "my evaluation app"})
    assert redact(f"got {token}") == f"got {REDACTED}"
    assert "my evaluation app" not in known_secrets()  # not a secret-looking header


@pytest.mark.parametrize(
    ("name", "secret"),
    [
        ("Authorization", True),
        ("Proxy-Authorization", True),
        ("x-api-key", True),
        ("api-key", True),
        ("X-Gateway-Token", True),
        ("Cookie", True),
        ("X-Title", False),
        ("anthropic-version", False),
        ("Content-Type", False),
    ],
)
def test_secret_looking_header_names(name: str, secret: bool) -> None:
    assert is_secret_header(name) is secret


def test_cloud_credentials_and_url_passwords_in_the_environment_are_secrets() -> None:
    env = {
        "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "AWS_SESSION_TOKEN": "FwoGZXIvYXdzEXAMPLETOKEN",
        "AZURE_STORAGE_CONNECTION_STRING": "DefaultEndpointsProtocol=https;AccountKey=abc123==",
        "AZURE_CLIENT_SECRET": "azure-client-secret-value",
        "GOOGLE_API_KEY": "AIzaSyEXAMPLEEXAMPLE",
        "DATABASE_URL": "postgres://app:db-passw0rd-42@db:5432/x",
        "HOME": "/home/someone",
        "PATH": "/usr/bin:/bin",
    }
    found = secret_values(env)
    assert "db-passw0rd-42" in found
    assert "/home/someone" not in found
    assert "/usr/bin:/bin" not in found
    for name in ("AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AZURE_STORAGE_CONNECTION_STRING", "GOOGLE_API_KEY"):
        assert env[name] in found, name


def test_a_dotenv_file_of_the_working_folder_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    key = fresh()
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text(f"SERVICE_TOKEN={key}\nMODEL=some-long-model-name\n", encoding="utf-8")
    assert redact(f"x {key} some-long-model-name") == f"x {REDACTED} some-long-model-name"


def test_url_user_info_is_stripped_and_its_every_form_registered() -> None:
    password = fresh("pw")
    url = f"https://user:{password}@gateway.example/v1"
    assert strip_userinfo(url) == "https://***@gateway.example/v1"
    assert strip_userinfo("mail me at someone@example.com") == "mail me at someone@example.com"
    register_url(url)
    basic = base64.b64encode(f"user:{password}".encode()).decode()
    assert redact(f"Authorization: Basic {basic}; {password}") == f"Authorization: Basic {REDACTED}; {REDACTED}"


def test_redact_obj_walks_dicts_lists_and_tuples_and_hides_header_values() -> None:
    key = fresh()
    register_secret(key)
    value = {
        "error": f"echo {key}",
        "base_url": "http://u:p4ssw0rd-xyz@h/v1",
        "params": {
            "max_tokens": 100,
            "temperature": 0.5,
            "extra_headers": {"Authorization": "Bearer whatever-this-is", "X-Title": "evals"},
            "api_key": "inline-key-value",
        },
        "list": [key, (key, 1), None, 2.5],
        key: "as a key",
    }
    assert redact_obj(value) == {
        "error": f"echo {REDACTED}",
        "base_url": "http://***@h/v1",
        "params": {
            "max_tokens": 100,
            "temperature": 0.5,
            "extra_headers": {"Authorization": HIDDEN, "X-Title": HIDDEN},
            "api_key": HIDDEN,
        },
        "list": [REDACTED, (REDACTED, 1), None, 2.5],
        REDACTED: "as a key",
    }


def test_a_provider_error_message_holds_no_secret() -> None:
    key = fresh()
    register_secret(key)
    error = ProviderError("auth", f"AuthenticationError: invalid key {key}", status=401)
    assert str(error) == f"auth: AuthenticationError: invalid key {REDACTED}"


def test_a_providers_spec_has_no_key_no_user_info_and_only_header_names() -> None:
    key = fresh()
    provider = OpenAIProvider(
        "m", api_key=key, base_url=f"http://u:{key}@h/v1", default_headers={"X-Gateway-Key": key, "X-Title": "t"}
    )
    spec = provider.spec()
    assert spec == {
        "provider": "openai",
        "model": "m",
        "base_url": "http://***@h/v1",
        "headers": ["X-Gateway-Key", "X-Title"],
    }
    assert key in known_secrets()  # registered when the provider was made


def test_a_manifest_never_holds_a_secret_and_a_hidden_one_is_not_sent_on_resume() -> None:
    key = fresh()
    target = {
        "kind": "model",
        "name": "gw",
        "model": "openai:m",
        "base_url": f"http://u:{key}@h/v1",
        "params": {"extra_headers": {"X-Gateway-Key": key}},
    }
    manifest = RunManifest("r", "d", 1, "all", 1, 1, target, [], {})
    raw = manifest.to_json()
    assert key.encode() not in raw
    stored = RunManifest.from_json(raw).target
    assert stored["base_url"] == "http://***@h/v1"
    assert stored["params"]["extra_headers"] == {"X-Gateway-Key": HIDDEN}
    with pytest.raises(ValidationError, match=r"'X-Gateway-Key'.*base_url's user-info.*pass target= to resume"):
        build_target(Spec.from_dict(stored))


def test_log_records_of_workbench_and_http_client_loggers_are_redacted(caplog: pytest.LogCaptureFixture) -> None:
    key = fresh()
    register_secret(key)
    caplog.set_level(logging.DEBUG)
    logging.getLogger("workbench.calls").info("retry after %s", f"echo {key}")
    logging.getLogger("httpx2").info("HTTP Request: POST http://user:pw-12345678@127.0.0.1/v1")
    try:
        raise RuntimeError(f"boom {key}")
    except RuntimeError:
        logging.getLogger("workbench").exception("failed with %s", key)
    assert key not in caplog.text
    assert f"retry after echo {REDACTED}" in caplog.text
    assert "http://***@127.0.0.1/v1" in caplog.text
    assert f"RuntimeError: boom {REDACTED}" in caplog.text


def test_without_logging_configured_warnings_still_reach_stderr_redacted() -> None:
    key = fresh()
    code = "import logging, sys, workbench.secrets; logging.getLogger('workbench.x').warning('key %s', sys.argv[1])"
    env = {**os.environ, "SOME_API_KEY": key}
    done = subprocess.run(
        [sys.executable, "-c", code, key], capture_output=True, text=True, env=env, timeout=60, check=True
    )
    assert done.stderr == f"key {REDACTED}\n"


def test_a_clean_batch_comes_back_as_it_is_and_one_dirty_row_is_found() -> None:
    key = fresh()
    register_secret(key)
    rows = [{"item_id": f"i{n}", "output": "x" * 200, "tokens_in": n, "at": datetime.now(UTC)} for n in range(500)]
    assert redact_obj(rows) is rows  # nothing to hide: no copy made
    rows[321]["output"] += f" {key}"
    redacted = redact_obj(rows)
    assert redacted[321]["output"].endswith(f" {REDACTED}")
    assert redacted[0] == rows[0]


def test_redacting_works_in_a_deleted_working_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    key = fresh()
    register_secret(key)
    gone = tmp_path / "gone"
    gone.mkdir()
    monkeypatch.chdir(gone)
    gone.rmdir()
    assert redact(f"k={key}") == f"k={REDACTED}"
