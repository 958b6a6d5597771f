"""The small pieces of reports: parameters from the command line, escaping, redaction, HTML without code."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from workbench import ValidationError
from workbench.report import as_text, message, notebook_to_html, parse_params, redact, require, table
from workbench.secrets import secret_values


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


def test_secret_looking_values_of_dotenv_files_are_secrets_too(tmp_path: Path) -> None:
    root, here = tmp_path / "store", tmp_path / "here"
    root.mkdir()
    here.mkdir()
    (root / ".env").write_text("ANTHROPIC_API_KEY=sk-ant-FAKE-0123456789\nMODEL=claude-something-long\n")
    (here / ".env").write_text("export MY_TOKEN='tok-from-cwd-123'\nEMPTY_KEY\n")
    secrets = secret_values({"OPENAI_API_KEY": "sk-abcdefgh12345"}, env_dirs=(here, root, None, tmp_path / "absent"))
    assert secrets == ["sk-ant-FAKE-0123456789", "sk-abcdefgh12345", "tok-from-cwd-123"]  # longest, then by value
    assert secret_values({}, env_dirs=(root, root)) == ["sk-ant-FAKE-0123456789"]
    assert secret_values({}) == []  # an explicit environment reads no .env file unless asked


def test_charts_embedded_as_base64_svg_are_redacted_before_encoding() -> None:
    import altair as alt
    import pandas as pd

    from workbench import charts

    secret = "sk-chart-title-0123456789"
    chart = alt.Chart(pd.DataFrame({"x": [1, 2]})).mark_point().encode(x="x").properties(title=f"key {secret}")
    svg = charts.to_svg(chart)
    assert secret in svg
    nb = new_notebook()  # type: ignore[no-untyped-call]
    output = new_output("display_data", data={"image/svg+xml": svg, "text/plain": f"<chart: key {secret}>"})  # type: ignore[no-untyped-call]
    nb.cells = [new_code_cell("chart", outputs=[output])]  # type: ignore[no-untyped-call]
    page = notebook_to_html(nb, title="T", notebook="n.ipynb", params={}, secrets=[secret])
    encoded = re.findall(r'src="data:image/svg\+xml;base64,([^"]+)"', page)
    assert len(encoded) == 1
    decoded = base64.b64decode(encoded[0]).decode("utf-8")
    assert secret not in decoded
    assert "key [redacted]" in decoded
    assert secret not in page


def test_html_has_markdown_and_outputs_but_no_code_stderr_or_cdn() -> None:
    nb = new_notebook()  # type: ignore[no-untyped-call]
    code = new_code_cell("print('hello')", outputs=[new_output("stream", name="stdout", text="hello\n")])  # type: ignore[no-untyped-call]
    noise = new_code_cell("warn()", outputs=[new_output("stream", name="stderr", text="DeprecationWarning\n")])  # type: ignore[no-untyped-call]
    nb.cells = [new_markdown_cell("# Title\n\nSome *text*."), code, noise, new_code_cell("x = 1")]  # type: ignore[no-untyped-call]
    nbformat.validate(nb)
    page = notebook_to_html(nb, title="T <1>", notebook="n.ipynb", params={"run": "<r>"})
    assert "hello" in page
    assert "print(" not in page
    assert "DeprecationWarning" not in page
    assert "https://" not in page
    assert "<script" not in page
    assert "T &lt;1&gt;" in page
    assert "run='&lt;r&gt;'" in page
