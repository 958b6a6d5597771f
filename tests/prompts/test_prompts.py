"""Prompts: versions on real files, references, rendering and its errors."""

from __future__ import annotations

import logging
import multiprocessing
import os
from pathlib import Path
from typing import Any

import pytest

from workbench.errors import InvalidNameError, NotFoundError, ValidationError
from workbench.prompts import Prompt, PromptStore, RenderedPrompt, _files, _store, check
from workbench.storage import Storage

ITEM: dict[str, Any] = {
    "item_id": "q7",
    "input": {"question": "2+2?", "options": ["3", "4"], "context": "input's own context"},
    "expected_output": "4",
    "context": [{"title": "Sums", "text": "2+2=4"}, {"title": "Notes", "text": "none"}],
    "metadata": {"source": "quiz", "tags": {"level": 1}},
}


@pytest.fixture
def store(tmp_path: Path) -> PromptStore:
    return PromptStore(tmp_path / "prompts")


def _prompt(store: PromptStore, template: str, system: str | None = None) -> Prompt:
    return store.create("p", template, system=system)


# -- versions ---------------------------------------------------------------------
def test_create_starts_at_version_one_and_each_change_adds_the_next(store: PromptStore) -> None:
    p1 = store.create("answer", "Q: {{ question }}", note="first")
    p2 = store.create("answer", "Question: {{ question }}")
    p3 = store.create("answer", "Question: {{ question }}", system="Be brief.")
    assert [p.version for p in (p1, p2, p3)] == [1, 2, 3]
    assert (p1.ref, p3.ref) == ("answer@1", "answer@3")
    assert (p1.note, p3.system) == ("first", "Be brief.")
    assert p1.variables == ["question"]
    assert sorted(os.listdir(store.folder / "answer")) == [".lock", "v000001.json", "v000002.json", "v000003.json"]


def test_versions_are_immutable_files(store: PromptStore) -> None:
    p1 = store.create("answer", "one {{ input }}")
    path = store.folder / "answer" / "v000001.json"
    before = path.read_bytes()
    store.create("answer", "two {{ input }}")
    store.create("answer", "three {{ input }}")
    assert path.read_bytes() == before
    assert store.get("answer@1") == p1
    with pytest.raises(AttributeError):
        p1.template = "changed"  # type: ignore[misc]
    assert not [n for n in os.listdir(path.parent) if not n.startswith("v") and n != ".lock"]  # no temp file left


def test_same_texts_as_latest_return_latest_without_a_new_version(store: PromptStore) -> None:
    p1 = store.create("answer", "Q: {{ question }}", system="sys", note="original")
    again = store.create("answer", "Q: {{ question }}", system="sys", note="a different note")
    assert again == p1
    assert again.note == "original"
    assert store.create("answer", "Q: {{ question }}").version == 2  # system differs
    assert store.create("answer", "Q: {{ question }}", system="sys").version == 3  # same as v1, not as latest
    assert store.versions("answer")["version"].tolist() == [1, 2, 3]


def test_an_unchanged_prompt_says_it_returned_the_latest_version(
    store: PromptStore, caplog: pytest.LogCaptureFixture
) -> None:
    store.create("answer", "Q: {{ question }}", note="original")
    with caplog.at_level(logging.INFO, logger="workbench.prompts"):
        again = store.create("answer", "Q: {{ question }}")
        renamed = store.create("answer", "Q: {{ question }}", note="second try")
    assert (again.version, renamed.version, renamed.note) == (1, 1, "original")
    assert [(r.levelname, r.getMessage()) for r in caplog.records] == [
        ("INFO", "prompt answer@1: same template and system text as the latest version, returned it"),
        (
            "WARNING",
            "prompt answer@1: same template and system text as the latest version, returned it; "
            "the note 'second try' is not stored (change a text to make a new version)",
        ),
    ]


def test_get_by_name_at_version_tuple_and_latest(store: PromptStore) -> None:
    for text in ("a {{ input }}", "b {{ input }}", "c {{ input }}"):
        store.create("answer", text)
    assert store.get("answer").version == 3
    assert store.get("answer@latest").version == 3
    assert store.get("answer@2").template == "b {{ input }}"
    assert store.get(("answer", 1)).template == "a {{ input }}"
    assert store.get(store.get("answer@2")).version == 2


def test_missing_prompt_or_version_says_what_exists(store: PromptStore) -> None:
    with pytest.raises(NotFoundError, match="no prompt 'answer': there are no prompts yet"):
        store.get("answer")
    store.create("answer", "a {{ input }}")
    store.create("answer", "b {{ input }}")
    with pytest.raises(NotFoundError, match=r"prompt 'answer' has no version 7; it has versions 1-2"):
        store.get("answer@7")
    with pytest.raises(NotFoundError, match=r"prompt 'answer' has no version 3; it has versions 1-2"):
        store.get(("answer", 3))
    with pytest.raises(NotFoundError, match=r"no prompt 'other'; prompts: answer"):
        store.get("other@1")
    with pytest.raises(ValidationError, match="integer >= 1"):
        store.get(("answer", 0))


def test_a_taken_version_number_is_never_overwritten(store: PromptStore, monkeypatch: pytest.MonkeyPatch) -> None:
    store.create("answer", "one {{ input }}")
    other = PromptStore(store.folder).create("answer", "two {{ input }}")  # another writer takes v2
    real = _files.version_numbers
    calls: list[int] = []

    def stale_once(storage: Storage) -> list[int]:
        calls.append(1)
        return [1] if len(calls) == 1 else real(storage)  # our writer has not seen v2 yet

    monkeypatch.setattr(_store, "version_numbers", stale_once)
    mine = store.create("answer", "three {{ input }}")
    assert mine.version == 3
    assert len(calls) == 2  # v2 refused, retried with v3
    assert store.get("answer@2") == other


def _create_many(folder: str, tag: str, count: int, barrier: Any, out: Any) -> None:
    store = PromptStore(Path(folder))
    barrier.wait(60)
    versions = [store.create("race", f"{tag} {i} {{{{ input }}}}").version for i in range(count)]
    barrier.wait(60)
    versions.append(store.create("race", "shared {{ input }}").version)
    out.put((tag, versions))


@pytest.mark.slow
def test_concurrent_creation_from_two_processes_loses_nothing(store: PromptStore) -> None:
    ctx = multiprocessing.get_context("spawn")
    barrier, out, count = ctx.Barrier(2), ctx.Queue(), 25
    procs = [ctx.Process(target=_create_many, args=(str(store.folder), t, count, barrier, out)) for t in "AB"]
    for proc in procs:
        proc.start()
    results = dict(out.get(timeout=120) for _ in procs)
    for proc in procs:
        proc.join(60)
        assert proc.exitcode == 0
    distinct = {tag: versions[:-1] for tag, versions in results.items()}
    for versions in distinct.values():
        assert versions == sorted(versions)
    assert sorted(distinct["A"] + distinct["B"]) == list(range(1, 2 * count + 1))
    assert results["A"][-1] == results["B"][-1] == 2 * count + 1  # identical text: one version
    for tag, versions in distinct.items():
        for i, version in enumerate(versions):
            assert store.get(("race", version)).template == f"{tag} {i} {{{{ input }}}}"
    assert store.get("race").version == 2 * count + 1


# -- listing and diff ---------------------------------------------------------------
def test_versions_and_list_are_dataframes(store: PromptStore) -> None:
    assert store.list().empty
    assert list(store.list().columns) == ["name", "version", "variables", "note", "created_at", "updated_at"]
    store.create("answer", "Q: {{ question }}\n" + "x" * 200, note="v1")
    store.create("answer", "Q: {{ input.question }} {{ context }}", system="sys", note="v2")
    store.create("judge", "{{ output }}")
    versions = store.versions("answer")
    assert list(versions.columns) == ["version", "created_at", "note", "variables", "system", "template"]
    assert versions["note"].tolist() == ["v1", "v2"]
    assert versions["variables"].tolist() == ["question", "context, input"]
    assert versions["template"][0].startswith("Q: {{ question }} xxx")
    assert len(versions["template"][0]) == 80
    listing = store.list().set_index("name")
    assert listing.index.tolist() == ["answer", "judge"]
    assert listing.loc["answer", "version"] == 2
    assert (listing["updated_at"] > listing["created_at"]).tolist() == [True, False]
    with pytest.raises(NotFoundError):
        store.versions("nope")


def test_diff_is_a_unified_diff_of_system_and_template(store: PromptStore) -> None:
    store.create("answer", "Context: {{ context }}\nQuestion: {{ question }}\n", system="Be brief.")
    store.create("answer", "Context: {{ context }}\nQ: {{ question }}\nThink first.\n", system="Be brief.")
    text = store.diff("answer", 1, 2)
    assert "--- answer@1 template\n+++ answer@2 template\n" in text
    assert "-Question: {{ question }}\n+Q: {{ question }}\n+Think first.\n" in text
    assert " Context: {{ context }}\n" in text
    assert "system" not in text  # unchanged system text: no hunk
    store.create("answer", "Q: {{ question }}", system="Be very brief.")
    assert "-Be brief.\n+Be very brief.\n" in store.diff("answer", 2, 3)
    assert store.diff("answer", 2, 2) == ""


# -- names and syntax -------------------------------------------------------------
@pytest.mark.parametrize("name", ["", "a/b", "..", ".hidden", "_x", " padded", "tab\tname", "x@2", "x@latest"])
def test_bad_names_are_refused(store: PromptStore, name: str) -> None:
    with pytest.raises(InvalidNameError, match="prompt name"):
        store.create(name, "{{ input }}")
    assert not store.folder.exists() or not os.listdir(store.folder)


def test_bad_names_are_refused_by_get(store: PromptStore) -> None:
    with pytest.raises(InvalidNameError, match="prompt name"):
        store.get("../datasets")
    with pytest.raises(ValidationError, match="a prompt reference is"):
        store.get(42)  # type: ignore[arg-type]


def test_syntax_error_is_refused_at_create_with_its_line(store: PromptStore) -> None:
    with pytest.raises(ValidationError, match=r"prompt 'answer': the template has a Jinja syntax error on line 3"):
        store.create("answer", "Hello\n{{ question }}\n{% for c in context %}{{ c }}\n")
    with pytest.raises(ValidationError, match=r"the system text has a Jinja syntax error on line 1"):
        store.create("answer", "{{ question }}", system="{{ oops ")
    with pytest.raises(ValidationError, match=r"line 2: No filter named 'nofilter'"):
        store.create("answer", "ok\n{{ question | nofilter }}")
    with pytest.raises(ValidationError, match="non-blank string"):
        store.create("answer", "  \n")
    assert store.names() == []


# -- rendering ----------------------------------------------------------------------
def test_render_nested_keys_top_level_input_keys_and_system(store: PromptStore) -> None:
    p = _prompt(
        store,
        "Q: {{ question }} / {{ input.question }} ({{ metadata.source }}, level {{ metadata.tags.level }})\n",
        system="Answer {{ input.options[1] }}-style questions. Expected: {{ expected_output }}",
    )
    rendered = p.render(ITEM)
    assert rendered == RenderedPrompt(
        system="Answer 4-style questions. Expected: 4",
        user="Q: 2+2? / 2+2? (quiz, level 1)\n",
    )
    assert rendered.messages() == [
        {"role": "system", "content": "Answer 4-style questions. Expected: 4"},
        {"role": "user", "content": "Q: 2+2? / 2+2? (quiz, level 1)\n"},
    ]


def test_input_keys_never_hide_item_fields(store: PromptStore) -> None:
    p = _prompt(store, "{{ context[0].title }} | {{ input.context }}")
    assert p.render(ITEM).user == "Sums | input's own context"


def test_dicts_and_lists_render_as_compact_json(store: PromptStore) -> None:
    p = _prompt(store, "{{ input }}\n{{ metadata.tags }}\n{{ input.options }}\n{{ input | tojson }}")
    assert p.render({"input": {"question": "<é>", "options": [1, None, True]}, "metadata": {"tags": {}}}).user == (
        '{"question":"<é>","options":[1,null,true]}\n{}\n[1,null,true]\n{"question":"<é>","options":[1,null,true]}'
    )


def test_loops_over_lists(store: PromptStore) -> None:
    template = "{% for doc in context %}{{ loop.index }}. {{ doc.title }}: {{ doc.text }}\n{% endfor %}"
    assert _prompt(store, template).render(ITEM).user == "1. Sums: 2+2=4\n2. Notes: none\n"


def test_render_takes_fields_by_keyword_and_plain_text_input(store: PromptStore) -> None:
    p = _prompt(store, "{{ input }}{% if context is defined %} + {{ context }}{% endif %}")
    assert p.render(input="just text").user == "just text"
    assert p.render({"input": "x", "version": 3, "unknown": 1}, context="c").user == "x + c"


def test_missing_variable_names_prompt_item_and_variable(store: PromptStore) -> None:
    p = store.create("answer", "{{ input.question }}")
    p = store.create("answer", "{{ input.question }} {{ input.nope }}")
    message = (
        "prompt answer@2: item 'q7' has no value for 'input.nope'; "
        "if it is optional, write {{ input.nope | default('') }} or {% if input.nope %}...{% endif %}"
    )
    with pytest.raises(ValidationError) as caught:
        p.render(ITEM)
    assert str(caught.value) == message
    cases = {
        "{{ question }} {{ nope }}": "'nope'",
        "{{ context[5].text }}": r"'context\[5\]'",
        "{% for d in context %}{{ d.author }}{% endfor %}": r"'context\[0\].author'",
        "{{ metadata.tags.level.x }}": "'<int>.x'",
        "{{ output }}": "'output'",
    }
    for template, variable in cases.items():
        with pytest.raises(ValidationError, match=rf"item 'q7' has no value for {variable}"):
            _prompt(store, template).render(ITEM)
    with pytest.raises(ValidationError, match=r"^prompt p@\d+: no value for 'input.question' \(system text\); if it"):
        _prompt(store, "ok", system="{{ input.question }}").render(input="plain text")


def test_check_lists_every_item_that_cannot_render(store: PromptStore) -> None:
    p = store.create("answer", "{{ question }} {{ context | length }}")
    items = [ITEM, {"item_id": "q8", "input": {"question": "?"}}, {"input": "text", "context": []}, ITEM]
    hint = "if it is optional, write {{ %s | default('') }} or {%% if %s %%}...{%% endif %%}"
    assert check(p, items) == [
        "prompt answer@1: item 'q8' has no value for 'context'; " + hint % ("context", "context"),
        "prompt answer@1: item #3 has no value for 'question'; " + hint % ("question", "question"),
    ]
    assert p.check([ITEM]) == []


def test_a_missing_value_deep_inside_gets_the_general_form_of_the_fix(store: PromptStore) -> None:
    p = _prompt(store, "{% for d in context %}{{ d.author }}{% endfor %}")
    with pytest.raises(ValidationError) as caught:
        p.render(ITEM)
    assert str(caught.value).endswith(
        "has no value for 'context[0].author'; "
        "if it is optional, add | default('') where the template prints it, or test it with {% if ... %}"
    )


@pytest.mark.parametrize(
    "template",
    [
        "Q: {{ question }}{% if context %}\nContext: {{ context }}{% endif %}",
        "Q: {{ question }}{% if context is defined %}\nContext: {{ context }}{% endif %}",
        "Q: {{ question }}{{ ('\nContext: ' ~ context) if context }}",
        "Q: {{ question }}\nContext: {{ context | default('') }}",
        'Q: {{ question }}\nContext: {{ context | default("") }}',
    ],
)
def test_the_documented_forms_of_an_optional_field_render_with_and_without_it(
    store: PromptStore, template: str
) -> None:
    p = _prompt(store, template)
    with_context = p.render({"item_id": "a", "input": {"question": "2+2?"}, "context": "sums"}).user
    without = p.render({"item_id": "b", "input": {"question": "2+2?"}}).user
    assert with_context == "Q: 2+2?\nContext: sums"
    assert without in ("Q: 2+2?", "Q: 2+2?\nContext: ")
    assert p.check([{"item_id": "b", "input": {"question": "2+2?"}, "context": None}]) == []


def test_testing_a_missing_value_is_false_but_printing_it_stays_an_error(store: PromptStore) -> None:
    p = _prompt(store, "{% if input.source %}from {{ input.source }}{% else %}no source{% endif %}")
    assert p.render(ITEM).user == "no source"
    assert p.render(input={"source": "quiz"}).user == "from quiz"
    for template in ("{{ context }}", "{{ context | length }}", "{% for c in context %}{% endfor %}"):
        with pytest.raises(ValidationError, match=r"no value for 'context'; if it is optional"):
            _prompt(store, template).render(input="x")


def test_templates_run_sandboxed(store: PromptStore) -> None:
    p = _prompt(store, "{{ input.__class__.__mro__ }}")
    with pytest.raises(ValidationError, match="item 'q7' cannot be rendered"):
        p.render(ITEM)
