"""``Spec`` and ``RunSpec``: small frozen JSON values that round-trip exactly."""

from __future__ import annotations

import json
from dataclasses import FrozenInstanceError

import pytest

from workbench import ValidationError
from workbench.specs import RunSpec, Spec


def test_a_spec_is_a_flat_dict_of_kind_name_and_arguments() -> None:
    spec = Spec("contains", "mentions_refund", {"substring": ["refund"], "pass_mark": 1.0})
    assert spec.to_dict() == {"kind": "contains", "name": "mentions_refund", "substring": ["refund"], "pass_mark": 1.0}
    assert Spec.from_dict(json.loads(json.dumps(spec.to_dict()))) == spec
    assert (spec["kind"], spec["name"], spec["substring"]) == ("contains", "mentions_refund", ["refund"])
    assert spec.get("missing", 3) == 3


def test_a_spec_is_frozen_and_hashable() -> None:
    spec = Spec("model", "m", {"model": "openai:x", "params": {"temperature": 0}})
    with pytest.raises(FrozenInstanceError):
        spec.name = "other"  # type: ignore[misc]
    with pytest.raises(TypeError):
        spec.args["model"] = "x"  # type: ignore[index]
    assert hash(spec) == hash(Spec("model", "m", {"params": {"temperature": 0}, "model": "openai:x"}))
    assert spec.replace(name="n", model="openai:y").to_dict()["model"] == "openai:y"
    assert spec.args["model"] == "openai:x"


def test_the_arguments_are_copied() -> None:
    params = {"temperature": 0}
    spec = Spec("model", "m", {"params": params})
    params["temperature"] = 1
    assert spec.args["params"] == {"temperature": 0}
    spec.to_dict()["params"]["temperature"] = 2
    assert spec.args["params"] == {"temperature": 0}


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: Spec("", "x"), "kind must be non-empty text"),
        (lambda: Spec("contains", ""), "name must be non-empty text"),
        (lambda: Spec("contains", "c", {"kind": "regex"}), "'kind' is not an argument name"),
        (lambda: Spec("function", "f", {"function": object()}), "spec 'f': not JSON data"),
        (lambda: Spec.from_dict({"name": "x"}), "no 'kind'"),
        (lambda: Spec.from_dict(["contains"]), "must be a mapping"),  # type: ignore[arg-type]
    ],
)
def test_bad_specs_are_one_line_errors(make: object, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        make()  # type: ignore[operator]


def test_a_run_spec_round_trips_through_json() -> None:
    run = RunSpec(
        dataset="qa",
        dataset_version=3,
        selection="item_ids",
        repeats=2,
        target=Spec("agent", "agent:openai:x", {"model": "openai:x", "tools": [{"function": "m:f"}]}),
        scorers=(Spec("contains", "c", {"direction": "higher", "pass_mark": 1.0}),),
        settings={"concurrency": 4, "timeout": None},
    )
    data = json.loads(json.dumps(run.to_dict()))
    assert data["target"]["kind"] == "agent"
    assert data["scorers"][0]["pass_mark"] == 1.0
    assert RunSpec.from_dict(data) == run
    assert RunSpec.from_dict({**data, "status": "completed", "shards": {}}) == run
