"""The small pieces of reports: parameters from the command line, escaping, redaction, HTML without code."""

from __future__ import annotations

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from workbench import ValidationError
from workbench.report import as_text, message, notebook_to_html, parse_params, redact, require, table
from workbench.report._secrets import secret_values


def test_parameters_are_json_when_they_parse_and_text_otherwise() -> None:
    params = parse_params(["baseline=20261122-0512-v1-3f9a1c", "top=5", 'runs=["a","b"]', "x=", "flag=true"])
    assert params == {"baseline": "20261122-0512-v1-3f9a1c", "top": 5, "runs": ["a", "b"], "x": "", "flag": True}
    with pytest.raises(ValidationError, match="write NAME=VALUE"):
        parse_params(["baseline"])
    with pytest.raises(ValidationError, match="write NAME=VALUE"):
        parse_params(["1x=2"])


def test_require_names_every_missing_parameter() -> None:
    require("trends", dataset="qa")
    with pytest.raises(ValidationError, match=r"compare_runs needs the parameters baseline, candidate"):
        require("compare_runs", baseline=None, candidate="")


def test_tables_and_messages_escape_what_they_show() -> None:
    import pandas as pd

    html = table(pd.DataFrame({"output": ['"<b>bold</b>"'], "score": [0.123456]}), json_columns=["output"]).markup
    assert "<b>bold</b>" not in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html
    assert "0.123" in html
    assert "0.1234" not in html
    assert "&lt;img" in message("<img src=x onerror=alert(1)>").markup
    assert as_text('"plain"') == "plain"
    assert as_text('{"a": 1}') == '{"a":1}'
    assert as_text("not json") == "not json"


def test_secret_looking_variables_are_redacted() -> None:
    env = {"OPENAI_API_KEY": "sk-abcdefgh12345", "MY_TOKEN": "tok-1234567890", "HOME": "/root", "SHORT_KEY": "1"}
    secrets = secret_values(env)
    assert secrets == ["sk-abcdefgh12345", "tok-1234567890"]
    assert (
        redact("key sk-abcdefgh12345 and tok-1234567890 at /root", secrets) == "key [redacted] and [redacted] at /root"
    )


def test_html_has_markdown_and_outputs_but_no_code_stderr_or_cdn() -> None:
    nb = new_notebook()
    code = new_code_cell("print('hello')", outputs=[new_output("stream", name="stdout", text="hello\n")])
    noise = new_code_cell("warn()", outputs=[new_output("stream", name="stderr", text="DeprecationWarning\n")])
    nb.cells = [new_markdown_cell("# Title\n\nSome *text*."), code, noise, new_code_cell("x = 1")]
    nbformat.validate(nb)
    page = notebook_to_html(nb, title="T <1>", notebook="n.ipynb", params={"run": "<r>"})
    assert "hello" in page
    assert "print(" not in page
    assert "DeprecationWarning" not in page
    assert "https://" not in page
    assert "<script" not in page
    assert "T &lt;1&gt;" in page
    assert "run='&lt;r&gt;'" in page
