"""Built-in code scorers: deterministic checks that need no model.

Each factory returns a :class:`~workbench.scorers._base.Scorer` whose :meth:`spec` is
``Spec(<factory name>, name, {parameters, direction, pass_mark})``, so a run can build it
again through the registry (:func:`workbench.specs.build`; :data:`BUILTINS` lists the
factories). Scores are in 0..1 with a reason; a missing or unusable input (no output, an
expected value that is not a number...) gives a score of ``None`` with ``error`` set,
never a silent 0. Every factory takes ``direction`` (always ``"higher"`` here: 1 is
best) and ``pass_mark``: 1.0 by default for the pass/fail checks and the budgets
(within budget), ``None`` for the graded ones (similarity, coverage, completeness, tool
calls).
"""

from __future__ import annotations

import contextlib
import json
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any, Literal

from rapidfuzz import fuzz
from rapidfuzz.utils import default_process

from workbench.errors import ValidationError
from workbench.scorers._base import Direction, Score, Scorer
from workbench.scorers._normalize import as_text, canonical_json, normalize_text, parse_number
from workbench.specs import Spec

__all__ = [
    "BUILTINS",
    "completeness",
    "contains",
    "cost_budget",
    "exact_match",
    "json_schema",
    "keyword_coverage",
    "latency_budget",
    "numeric",
    "regex",
    "similarity",
    "tool_calls",
    "valid_json",
]


def _error(message: str, **details: Any) -> Score:
    return Score(None, "", dict(details), error=message)


def _short(value: Any, limit: int = 80) -> str:
    text = as_text(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


class _Builtin(Scorer):
    """A built-in scorer: remembers its factory and parameters for :meth:`spec`."""

    builtin: str = ""

    def __init__(self, builtin: str, params: dict[str, Any], name: str | None) -> None:
        self.builtin = builtin
        self.params = params
        self.name = name or builtin

    def spec(self) -> Spec:
        """Kind: the factory's name; arguments: its parameters, ``direction`` and ``pass_mark``."""
        return Spec(self.builtin, self.name, {**self.params, **self.marks()})


def _marked(scorer: Scorer, direction: Direction, pass_mark: float | None) -> Scorer:
    scorer.set_marks(direction, pass_mark)
    return scorer


def _string_list(value: Any, what: str) -> list[str]:
    """A list of strings from a string or a list of strings; raises ``ValidationError`` otherwise."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
        return list(value)
    raise ValidationError(f"{what} must be a string or a list of strings, not {value!r}")


# --- exact match -------------------------------------------------------------------------------


class _ExactMatch(_Builtin):
    def __init__(self, name: str | None, normalize: bool, options: dict[str, bool]) -> None:
        super().__init__("exact_match", {"normalize": normalize, **options}, name)
        self.normalize = normalize
        self.options = options

    def _norm(self, text: str) -> str:
        return normalize_text(text, **self.options) if self.normalize else text

    async def evaluate(self, **arguments: Any) -> Score:
        output, expected = arguments.get("output"), arguments.get("expected")
        if output is None:
            return _error("no output")
        if expected is None:
            return _error("no expected value")
        if not isinstance(expected, str) and isinstance(output, str):
            with contextlib.suppress(ValueError):
                output = json.loads(output)
        if isinstance(output, str) or isinstance(expected, str):
            got, want = self._norm(as_text(output)), self._norm(as_text(expected))
        else:
            got, want = canonical_json(output), canonical_json(expected)
        if got == want:
            return Score(1.0, "output equals expected")
        return Score(0.0, f"output {_short(got)!r} differs from expected {_short(want)!r}")


def exact_match(
    normalize: bool = True,
    case: bool = True,
    whitespace: bool = True,
    punctuation: bool = False,
    unicode: bool = True,
    *,
    name: str | None = None,
    direction: Direction = "higher",
    pass_mark: float | None = 1.0,
) -> Scorer:
    """1 when the output equals the expected value, else 0.

    With ``normalize`` the flags say what is normalised on both sides: ``case`` (case folding),
    ``whitespace`` (runs collapsed to one space, ends stripped), ``punctuation`` (characters of
    unicode categories P* removed) and ``unicode`` (NFKC). Non-string values are compared in
    canonical JSON form (sorted keys), so a dict equals a dict with the same content; a JSON
    string output is parsed when the expected value is not a string.
    """
    options = {"case": case, "whitespace": whitespace, "punctuation": punctuation, "unicode": unicode}
    return _marked(_ExactMatch(name, normalize, options), direction, pass_mark)


# --- contains ----------------------------------------------------------------------------------


Match = Literal["word", "substring"]
MATCHES: tuple[Match, ...] = ("word", "substring")
_EDGE_BEFORE, _EDGE_AFTER = r"(?<!\w)", r"(?!\w)"


def _word_pattern(needle: str) -> re.Pattern[str]:
    """``needle`` as whole words: no letter, digit or ``_`` right before or after it, any white space inside.

    ``"No"`` is found in ``"No, it is not"`` but not in ``"I don't know"``; a needle that
    starts or ends with a symbol (``"$5"``, ``"C++"``) needs no letter next to that end either.
    """
    words = needle.split()
    return re.compile(_EDGE_BEFORE + r"\s+".join(re.escape(w) for w in words) + _EDGE_AFTER)


class _Contains(_Builtin):
    def __init__(
        self, name: str | None, substring: str | list[str] | None, normalize: bool, all_: bool, match: str
    ) -> None:
        if substring is not None:
            substring = _string_list(substring, "substring")
            if not substring:
                raise ValidationError("substring: give at least one string")
        if match not in MATCHES:
            raise ValidationError(f"match must be 'word' or 'substring', not {match!r}")
        params = {"substring": substring, "normalize": normalize, "all": all_, "match": match}
        super().__init__("contains", params, name)
        self.substring = substring
        self.normalize = normalize
        self.all = all_
        self.match = match

    def _norm(self, text: str) -> str:
        return normalize_text(text) if self.normalize else text

    def _found(self, needle: str, haystack: str) -> bool:
        wanted = self._norm(needle)
        if self.match == "substring" or not wanted.strip():
            return wanted in haystack
        return _word_pattern(wanted).search(haystack) is not None

    async def evaluate(self, **arguments: Any) -> Score:
        output, expected = arguments.get("output"), arguments.get("expected")
        if output is None:
            return _error("no output")
        if self.substring is not None:
            needles = self.substring
        elif expected is None:
            return _error("no expected value and no substring given")
        elif isinstance(expected, list):
            needles = [as_text(v) for v in expected]
        else:
            needles = [as_text(expected)]
        if not needles:
            return _error("nothing to look for (empty expected list)")
        haystack = self._norm(as_text(output))
        found = [n for n in needles if self._found(n, haystack)]
        missing = [n for n in needles if n not in found]
        details = {"found": found, "missing": missing, "match": self.match}
        ok = not missing if self.all else bool(found)
        mode = "all of" if self.all else "any of"
        what = "word(s)" if self.match == "word" else "string(s)"
        if ok:
            return Score(1.0, f"output contains {mode} {len(needles)} {what}", details)
        return Score(0.0, f"output lacks {mode} the {what}: missing {missing!r}"[:300], details)


def contains(
    substring: str | list[str] | None = None,
    normalize: bool = True,
    all: bool = False,  # noqa: A002 - the option's public name
    match: Match = "word",
    *,
    name: str | None = None,
    direction: Direction = "higher",
    pass_mark: float | None = 1.0,
) -> Scorer:
    """1 when the output contains the expected value (or ``substring``, a string or a list), else 0.

    By default a whole-word (or whole-phrase) match: the expected ``"No"`` is in ``"No, it
    is not"`` but not in ``"I don't know"``, ``"4"`` is not in ``"42"``; white space inside a
    phrase may differ. ``match="substring"`` finds the text anywhere, inside words too.
    With a list, any one string is enough unless ``all``. ``normalize`` applies NFKC, case
    folding and white space collapsing to both sides (so the match ignores case). Details
    list found and missing strings.
    """
    return _marked(_Contains(name, substring, normalize, all, match), direction, pass_mark)


# --- regex -------------------------------------------------------------------------------------


class _Regex(_Builtin):
    def __init__(self, name: str | None, pattern: str, flags: int, full: bool) -> None:
        super().__init__("regex", {"pattern": pattern, "flags": int(flags), "full": full}, name)
        self.compiled = re.compile(pattern, flags)
        self.full = full

    async def evaluate(self, **arguments: Any) -> Score:
        output = arguments.get("output")
        if output is None:
            return _error("no output")
        text = as_text(output)
        match = self.compiled.fullmatch(text) if self.full else self.compiled.search(text)
        how = "fully matches" if self.full else "matches"
        if match is None:
            verb = "fully match" if self.full else "match"
            return Score(0.0, f"output does not {verb} /{self.compiled.pattern}/")
        details = {"match": match.group(), "groups": list(match.groups()), "span": list(match.span())}
        return Score(1.0, f"output {how} /{self.compiled.pattern}/", details)


def regex(
    pattern: str,
    flags: int = 0,
    full: bool = False,
    *,
    name: str | None = None,
    direction: Direction = "higher",
    pass_mark: float | None = 1.0,
) -> Scorer:
    """1 when the pattern is found in the output text (``re.search``), or matches all of it with ``full``.

    Non-string outputs are matched in canonical JSON form; details give the match and its groups.
    """
    return _marked(_Regex(name, pattern, flags, full), direction, pass_mark)


# --- JSON --------------------------------------------------------------------------------------


class _ValidJson(_Builtin):
    def __init__(self, name: str | None) -> None:
        super().__init__("valid_json", {}, name)

    async def evaluate(self, **arguments: Any) -> Score:
        output = arguments.get("output")
        if output is None:
            return _error("no output")
        if isinstance(output, dict | list):
            return Score(1.0, f"output is already a JSON {type(output).__name__}")
        if not isinstance(output, str):
            return Score(0.0, f"output is a {type(output).__name__}, not JSON text")
        try:
            json.loads(output)
        except ValueError as exc:
            return Score(0.0, f"output is not valid JSON: {exc}")
        return Score(1.0, "output is valid JSON")


def valid_json(*, name: str | None = None, direction: Direction = "higher", pass_mark: float | None = 1.0) -> Scorer:
    """1 when the output is a string that parses as JSON (or already a dict or list), else 0."""
    return _marked(_ValidJson(name), direction, pass_mark)


class _JsonSchema(_Builtin):
    def __init__(self, name: str | None, schema: dict[str, Any]) -> None:
        super().__init__("json_schema", {"schema": schema}, name)
        import jsonschema  # imported when needed: it costs close to a second at start-up

        cls = jsonschema.validators.validator_for(schema)
        cls.check_schema(schema)
        self.validator = cls(schema)

    async def evaluate(self, **arguments: Any) -> Score:
        output = arguments.get("output")
        if output is None:
            return _error("no output")
        if isinstance(output, str):
            try:
                output = json.loads(output)
            except ValueError as exc:
                return Score(0.0, f"output is not valid JSON: {exc}")
        errors = list(self.validator.iter_errors(output))
        if not errors:
            return Score(1.0, "output matches the schema")
        first = errors[0]
        details = {"errors": [f"{e.json_path}: {e.message}" for e in errors[:20]], "error_count": len(errors)}
        return Score(0.0, f"{first.json_path}: {first.message}", details)


def json_schema(
    schema: dict[str, Any], *, name: str | None = None, direction: Direction = "higher", pass_mark: float | None = 1.0
) -> Scorer:
    """1 when the output (parsed if a JSON string) validates against ``schema``, else 0.

    The schema is checked when the scorer is made. The reason is the first error with its
    JSON path (``$.items[0].price: 'x' is not of type 'number'``); details list up to 20.
    """
    return _marked(_JsonSchema(name, schema), direction, pass_mark)


# --- numbers -----------------------------------------------------------------------------------


class _Numeric(_Builtin):
    def __init__(self, name: str | None, tolerance: float, relative: bool) -> None:
        if not tolerance >= 0:
            raise ValidationError(f"tolerance must be >= 0, not {tolerance!r}")
        super().__init__("numeric", {"tolerance": float(tolerance), "relative": relative}, name)
        self.tolerance = float(tolerance)
        self.relative = relative

    async def evaluate(self, **arguments: Any) -> Score:
        output, expected = arguments.get("output"), arguments.get("expected")
        want = parse_number(expected)
        if want is None:
            return _error(f"expected value {_short(expected)!r} is not a number")
        if output is None:
            return _error("no output")
        got = parse_number(output, search=True)
        if got is None:
            return Score(0.0, f"no number in output {_short(output)!r}", {"expected": want})
        diff = abs(got - want)
        allowed = self.tolerance * abs(want) if self.relative else self.tolerance
        # a hair of slack so that 0.1 + 0.2 equals 0.3 with no tolerance
        ok = diff <= allowed + 1e-9 * max(1.0, abs(want))
        details = {"output": got, "expected": want, "difference": diff, "allowed": allowed}
        if ok:
            return Score(1.0, f"{got:g} is within {allowed:g} of {want:g}", details)
        return Score(0.0, f"{got:g} differs from {want:g} by {diff:g} (allowed {allowed:g})", details)


def numeric(
    tolerance: float = 0.0,
    relative: bool = False,
    *,
    name: str | None = None,
    direction: Direction = "higher",
    pass_mark: float | None = 1.0,
) -> Scorer:
    """1 when the output's number is within ``tolerance`` of the expected number, else 0.

    Numbers may be strings: white space, currency symbols, thousands commas and a percent
    sign are dropped (``"$1,234.50"``, ``" 1e3 "``, ``"50%"`` is 50). The expected value must
    be one number (else a scorer error); the output's first number is used. With ``relative``
    the tolerance is a fraction of the expected value.
    """
    return _marked(_Numeric(name, tolerance, relative), direction, pass_mark)


# --- similarity --------------------------------------------------------------------------------


def _tokens(text: str) -> list[str]:
    return str(default_process(unicodedata.normalize("NFKC", text))).split()


def token_f1(output: str, expected: str) -> float:
    """F1 of the normalised token multisets (1.0 when both are empty)."""
    got, want = Counter(_tokens(output)), Counter(_tokens(expected))
    if not got and not want:
        return 1.0
    common = sum((got & want).values())
    if common == 0:
        return 0.0
    precision, recall = common / sum(got.values()), common / sum(want.values())
    return 2 * precision * recall / (precision + recall)


class _Similarity(_Builtin):
    def __init__(self, name: str | None, method: str, threshold: float | None) -> None:
        if method not in ("ratio", "token_f1"):
            raise ValidationError(f"method must be 'ratio' or 'token_f1', not {method!r}")
        if threshold is not None and not 0.0 <= threshold <= 1.0:
            raise ValidationError(f"threshold must be in 0..1, not {threshold!r}")
        super().__init__("similarity", {"method": method, "threshold": threshold}, name)
        self.method = method
        self.threshold = threshold

    async def evaluate(self, **arguments: Any) -> Score:
        output, expected = arguments.get("output"), arguments.get("expected")
        if output is None:
            return _error("no output")
        if expected is None:
            return _error("no expected value")
        got, want = as_text(output), as_text(expected)
        value = fuzz.ratio(got, want) / 100.0 if self.method == "ratio" else token_f1(got, want)
        value = min(1.0, max(0.0, value))
        details: dict[str, Any] = {"method": self.method, "similarity": value}
        if self.threshold is None:
            return Score(value, f"{self.method} similarity {value:.3f}", details)
        passed = value >= self.threshold
        verb = "meets" if passed else "is below"
        return Score(1.0 if passed else 0.0, f"{self.method} {value:.3f} {verb} {self.threshold:g}", details)


def similarity(
    method: str = "ratio",
    threshold: float | None = None,
    *,
    name: str | None = None,
    direction: Direction = "higher",
    pass_mark: float | None = None,
) -> Scorer:
    """Similarity of output and expected text.

    ``method="ratio"``: normalised edit-distance similarity (``rapidfuzz.fuzz.ratio`` / 100).
    ``method="token_f1"``: F1 of the token multisets after ``rapidfuzz.utils.default_process``
    (lower case, non-alphanumerics as spaces) and NFKC. With ``threshold`` the score is 1 or 0
    and the similarity is kept in ``details["similarity"]`` (and ``pass_mark`` defaults to 1).
    """
    if pass_mark is None and threshold is not None:
        pass_mark = 1.0
    return _marked(_Similarity(name, method, threshold), direction, pass_mark)


# --- coverage ----------------------------------------------------------------------------------


class _KeywordCoverage(_Builtin):
    def __init__(self, name: str | None, keywords: list[str] | None) -> None:
        if keywords is not None:
            keywords = _string_list(keywords, "keywords")
            if not keywords:
                raise ValidationError("keywords: give at least one keyword")
        super().__init__("keyword_coverage", {"keywords": keywords}, name)
        self.keywords = keywords

    async def evaluate(self, **arguments: Any) -> Score:
        output, expected = arguments.get("output"), arguments.get("expected")
        keywords = self.keywords
        if keywords is None:
            try:
                keywords = _string_list(expected, "expected")
            except ValueError:
                return _error(f"no keywords given and expected {_short(expected)!r} is not a list of strings")
            if not keywords:
                return _error("no keywords (empty expected list)")
        if output is None:
            return _error("no output")
        text = unicodedata.normalize("NFKC", as_text(output))
        found: list[str] = []
        missing: list[str] = []
        for keyword in keywords:
            word = unicodedata.normalize("NFKC", keyword).strip()
            pattern = r"(?<!\w)" + re.escape(word) + r"(?!\w)"
            (found if word and re.search(pattern, text, re.IGNORECASE) else missing).append(keyword)
        value = len(found) / len(keywords)
        details = {"found": found, "missing": missing}
        return Score(value, f"{len(found)} of {len(keywords)} keywords present" + _missing(missing), details)


def _missing(missing: Sequence[Any]) -> str:
    return f"; missing: {', '.join(_short(m, 40) for m in missing[:10])}" if missing else ""


def keyword_coverage(
    keywords: list[str] | None = None,
    *,
    name: str | None = None,
    direction: Direction = "higher",
    pass_mark: float | None = None,
) -> Scorer:
    """Share of keywords present in the output, as whole words, ignoring case.

    The keywords are given, or taken from ``expected`` (a list of strings or one string).
    Details list the found and missing ones.
    """
    return _marked(_KeywordCoverage(name, keywords), direction, pass_mark)


class _Completeness(_Builtin):
    def __init__(self, name: str | None, elements: list[Any] | None) -> None:
        if elements is not None:
            elements = list(elements)
            if not elements:
                raise ValidationError("elements: give at least one element")
        super().__init__("completeness", {"elements": elements}, name)
        self.elements = elements

    async def evaluate(self, **arguments: Any) -> Score:
        output, expected = arguments.get("output"), arguments.get("expected")
        elements = self.elements
        if elements is None:
            if not isinstance(expected, list | tuple):
                return _error(f"no elements given and expected {_short(expected)!r} is not a list")
            elements = list(expected)
            if not elements:
                return _error("no elements (empty expected list)")
        if output is None:
            return _error("no output")
        if isinstance(output, list | tuple):
            present = {normalize_text(as_text(v)) for v in output}
            found = [e for e in elements if normalize_text(as_text(e)) in present]
        else:
            text = normalize_text(as_text(output))
            found = [e for e in elements if normalize_text(as_text(e)) in text]
        missing = [e for e in elements if e not in found]
        value = len(found) / len(elements)
        details = {"missing": missing, "found": found}
        return Score(value, f"{len(found)} of {len(elements)} elements present" + _missing(missing), details)


def completeness(
    elements: list[Any] | None = None,
    *,
    name: str | None = None,
    direction: Direction = "higher",
    pass_mark: float | None = None,
) -> Scorer:
    """Share of expected elements present in the output.

    Elements are given, or ``expected`` must be a list. Each is looked for as a normalised
    (NFKC, case-folded, white space collapsed) substring of the output text; when the output
    is itself a list, as one of its items. Details list the missing elements.
    """
    return _marked(_Completeness(name, elements), direction, pass_mark)


# --- tool calls --------------------------------------------------------------------------------


def _expected_calls(expected: Any) -> list[dict[str, Any]]:
    """Expected calls as ``{"name", "arguments"}`` dicts; raises ``ValidationError`` when malformed."""
    if isinstance(expected, dict) and "tool_calls" in expected:
        expected = expected["tool_calls"]
    if not isinstance(expected, list | tuple):
        raise ValidationError(
            f"expected tool calls must be a list (or a dict with 'tool_calls'), not {_short(expected)!r}"
        )
    calls = []
    for entry in expected:
        call = {"name": entry} if isinstance(entry, str) else entry
        if not isinstance(call, dict) or not isinstance(call.get("name"), str):
            raise ValidationError(f"expected tool call without a name: {_short(call)!r}")
        arguments = call.get("arguments")
        if arguments is not None and not isinstance(arguments, dict):
            raise ValidationError(f"expected arguments of {call['name']} must be a dict, not {_short(arguments)!r}")
        calls.append({"name": call["name"], "arguments": arguments})
    return calls


def _actual_arguments(arguments: Any) -> Any:
    if isinstance(arguments, str):
        try:
            return json.loads(arguments)
        except ValueError:
            return arguments
    return arguments


class _ToolCalls(_Builtin):
    def __init__(self, name: str | None, order: bool, check_arguments: bool) -> None:
        super().__init__("tool_calls", {"order": order, "check_arguments": check_arguments}, name)
        self.order = order
        self.check_arguments = check_arguments

    def _arguments_match(self, want: dict[str, Any] | None, got: Any) -> bool:
        if not self.check_arguments or not want:
            return True
        if not isinstance(got, dict):
            return False
        return all(key in got and got[key] == value for key, value in want.items())

    async def evaluate(self, **arguments: Any) -> Score:
        result = arguments.get("result")
        if result is None:
            return _error("no target result (tool calls are only known inside a run)")
        try:
            want = _expected_calls(arguments.get("expected"))
        except ValueError as exc:
            return _error(str(exc))
        calls = list(result.tool_calls)
        got = [{"name": c.name, "arguments": _actual_arguments(c.arguments)} for c in calls]
        # only calls with valid arguments can match an expected call
        eligible = [c.valid for c in calls]

        def matches(i: int, j: int) -> bool:
            return (
                eligible[j]
                and want[i]["name"] == got[j]["name"]
                and self._arguments_match(want[i]["arguments"], got[j]["arguments"])
            )

        pairs = _ordered_pairs(len(want), len(got), matches) if self.order else _pairs(len(want), len(got), matches)
        used_w, used_g = {i for i, _ in pairs}, {j for _, j in pairs}
        incorrect, out_of_order = [], []
        for i in range(len(want)):
            if i in used_w:
                continue
            for j in range(len(got)):
                if j not in used_g and got[j]["name"] == want[i]["name"]:
                    used_w.add(i)
                    used_g.add(j)
                    entry = {"name": want[i]["name"], "expected": want[i]["arguments"], "actual": got[j]["arguments"]}
                    if not eligible[j]:
                        entry["invalid"] = True
                    if matches(i, j):
                        out_of_order.append(entry)
                    else:
                        incorrect.append(entry)
                    break
        details: dict[str, Any] = {
            "matched": [want[i]["name"] for i, _ in sorted(pairs)],
            "missing": [want[i] for i in range(len(want)) if i not in used_w],
            "extra": [got[j] for j in range(len(got)) if j not in used_g],
            "incorrect_arguments": incorrect,
            "invalid": [c.to_dict() for c in calls if not c.valid],
        }
        if self.order:
            details["out_of_order"] = out_of_order
        total = len(want) + len(got)
        value = 1.0 if total == 0 else 2 * len(pairs) / total
        reason = f"{len(pairs)} of {len(want)} expected calls matched among {len(got)} made"
        problems = [f"{len(v)} {k.replace('_', ' ')}" for k, v in details.items() if k != "matched" and v]
        if problems:
            reason += " (" + ", ".join(problems) + ")"
        return Score(value, reason, details)


def _pairs(n_want: int, n_got: int, matches: Callable[[int, int], bool]) -> list[tuple[int, int]]:
    """A maximum matching of expected to actual calls (augmenting paths; sizes are small)."""
    owner: dict[int, int] = {}

    def assign(i: int, seen: set[int]) -> bool:
        for j in range(n_got):
            if j in seen or not matches(i, j):
                continue
            seen.add(j)
            if j not in owner or assign(owner[j], seen):
                owner[j] = i
                return True
        return False

    for i in range(n_want):
        assign(i, set())
    return sorted((i, j) for j, i in owner.items())


def _ordered_pairs(n_want: int, n_got: int, matches: Callable[[int, int], bool]) -> list[tuple[int, int]]:
    """The longest in-order matching (a longest common subsequence)."""
    best = [[0] * (n_got + 1) for _ in range(n_want + 1)]
    for i in range(n_want - 1, -1, -1):
        for j in range(n_got - 1, -1, -1):
            best[i][j] = max(best[i + 1][j], best[i][j + 1], best[i + 1][j + 1] + 1 if matches(i, j) else 0)
    pairs, i, j = [], 0, 0
    while i < n_want and j < n_got:
        if matches(i, j) and best[i][j] == best[i + 1][j + 1] + 1:
            pairs.append((i, j))
            i, j = i + 1, j + 1
        elif best[i + 1][j] >= best[i][j + 1]:
            i += 1
        else:
            j += 1
    return pairs


def tool_calls(
    order: bool = False,
    check_arguments: bool = True,
    *,
    name: str | None = None,
    direction: Direction = "higher",
    pass_mark: float | None = None,
) -> Scorer:
    """How well the calls an agent made match the expected tool calls.

    Expected calls come from ``expected``: a list of ``{"name", "arguments"?}`` dicts (or tool
    names), or a dict with such a list under ``"tool_calls"``. Actual calls come from
    ``result.tool_calls`` (no result is a scorer error).

    An expected call is matched by an actual call with the same name whose arguments contain
    the expected ``arguments`` (only the keys given are compared; none given, or
    ``check_arguments=False``, means the name is enough). Calls recorded with ``valid=False``
    never match. With ``order`` the matched calls must keep the expected order (the longest
    in-order subsequence counts).

    Score: F1 of matched calls, ``2 * matched / (len(expected) + len(actual))`` (1.0 when
    neither expected nor made any call), so both missing and extra calls cost. Details:
    ``missing`` (expected, not called), ``extra`` (called, not expected),
    ``incorrect_arguments`` (name matched, arguments differ), ``invalid`` (calls recorded with
    ``valid=False``), and with ``order`` also ``out_of_order``.
    """
    return _marked(_ToolCalls(name, order, check_arguments), direction, pass_mark)


# --- budgets -----------------------------------------------------------------------------------


def _budget_score(used: float, budget: float, unit: str, what: str) -> Score:
    details = {what: used, "budget": budget}
    if used <= budget:
        return Score(1.0, f"{what} {used:g}{unit} within budget {budget:g}{unit}", details)
    value = budget / used if used > 0 else 0.0
    return Score(value, f"{what} {used:g}{unit} over budget {budget:g}{unit}", details)


class _Budget(_Builtin):
    """A budget on a number the result records (``latency_s`` or ``cost``)."""

    def __init__(self, builtin: str, param: str, limit: float, attribute: str, unit: str, name: str | None) -> None:
        if not limit >= 0 or (builtin == "latency_budget" and limit == 0):
            raise ValidationError(f"{param} must be {'> 0' if builtin == 'latency_budget' else '>= 0'}, not {limit!r}")
        super().__init__(builtin, {param: float(limit)}, name)
        self.limit, self.attribute, self.unit = float(limit), attribute, unit
        self.what = "latency" if attribute == "latency_s" else attribute

    async def evaluate(self, **arguments: Any) -> Score:
        result = arguments.get("result")
        used = getattr(result, self.attribute, None) if result is not None else None
        if isinstance(used, bool) or not isinstance(used, int | float) or used < 0:
            return _error(f"no {self.what} recorded")
        return _budget_score(float(used), self.limit, self.unit, self.what)


def latency_budget(
    seconds: float, *, name: str | None = None, direction: Direction = "higher", pass_mark: float | None = 1.0
) -> Scorer:
    """1 when the target answered within ``seconds``, else ``seconds / latency`` (a smooth penalty).

    The latency is read from ``result.latency_s`` (set by the runner); without it the scorer reports an error.
    """
    return _marked(_Budget("latency_budget", "seconds", seconds, "latency_s", "s", name), direction, pass_mark)


def cost_budget(
    usd: float, *, name: str | None = None, direction: Direction = "higher", pass_mark: float | None = 1.0
) -> Scorer:
    """1 when the result cost at most ``usd`` dollars, else ``usd / cost`` (a smooth penalty).

    The cost is ``result.cost``; when it is unknown (``None``) the scorer reports an error.
    """
    return _marked(_Budget("cost_budget", "usd", usd, "cost", " USD", name), direction, pass_mark)


# --- registry ----------------------------------------------------------------------------------

BUILTINS: dict[str, Callable[..., Scorer]] = {
    "exact_match": exact_match,
    "contains": contains,
    "regex": regex,
    "valid_json": valid_json,
    "json_schema": json_schema,
    "numeric": numeric,
    "similarity": similarity,
    "keyword_coverage": keyword_coverage,
    "completeness": completeness,
    "tool_calls": tool_calls,
    "latency_budget": latency_budget,
    "cost_budget": cost_budget,
}
"""The built-in scorer factories by name (the ``builtin`` field of their spec)."""
