"""Arithmetic the simulated model can do: expressions, percentages, roots, temperatures, primes."""

from __future__ import annotations

import ast
import math
import operator
import re
from collections.abc import Callable

_NUMBER = r"-?\d+(?:\.\d+)?"
_WORDS = {
    r"\bmultiplied by\b": "*",
    r"\btimes\b": "*",
    r"\bdivided by\b": "/",
    r"\bplus\b": "+",
    r"\bminus\b": "-",
    r"(?<=\d)\s*[x\u00d7]\s*(?=\d)": "*",
    "\u00f7": "/",
    r"\^": "**",
}
_NOT_ARITHMETIC = re.compile(r"\b\d{4}-\d{2}-\d{2}\b|\b[A-Za-z]+-\d+\b|\b\d+(?:-\d+){2,}\b")
_EXPRESSION = re.compile(r"[-+*/().\d\s]+")
_BINARY: dict[type[ast.operator], Callable[[float, float], float]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Pow: operator.pow,
}
_DECIMALS = re.compile(r"(\d+|one|two|three|four)\s+decimal", re.IGNORECASE)
_DECIMAL_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4}


def solve(question: str) -> str | None:
    """Answer a question that is a computation, or return ``None``.

    Handles ``15% of 80``, ``square root of 144``, ``100 degrees Fahrenheit to
    Celsius`` (and back), ``is 97 a prime number`` (``yes``/``no``) and
    expressions such as ``17 * 23`` or ``(2 + 3) ^ 2``; "rounded to one decimal"
    sets the number of decimals.

    Args:
        question: The user's question.

    Returns:
        The answer, just the number (or ``yes``/``no``), or ``None``.
    """
    for solver in (_percent, _square_root, _temperature, _prime, _expression):
        value = solver(question)
        if isinstance(value, str):
            return value
        if value is not None:
            return format_number(value, _decimals(question))
    return None


def format_number(value: float, decimals: int | None = None) -> str:
    """Write a number as a person would: ``391``, ``37.78``, ``0.333333``.

    Args:
        value: The number.
        decimals: Fixed number of decimals, or ``None`` for at most six, trailing zeros dropped.

    Returns:
        The number as text.
    """
    if decimals is not None:
        return f"{value:.{decimals}f}"
    if math.isfinite(value) and abs(value - round(value)) < 1e-9:
        return str(round(value))
    return f"{value:.6f}".rstrip("0").rstrip(".")


def _decimals(question: str) -> int | None:
    match = _DECIMALS.search(question)
    if not match:
        return None
    word = match.group(1).lower()
    return _DECIMAL_WORDS.get(word) or int(word)


def _percent(question: str) -> float | None:
    match = re.search(rf"({_NUMBER})\s*(?:%|percent)\s+of\s+\$?({_NUMBER})", question, re.IGNORECASE)
    return float(match.group(1)) * float(match.group(2)) / 100 if match else None


def _square_root(question: str) -> float | None:
    match = re.search(r"(?:square root of|sqrt)\s*\(?\s*(\d+(?:\.\d+)?)", question, re.IGNORECASE)
    return math.sqrt(float(match.group(1))) if match else None


def _temperature(question: str) -> float | None:
    text = question.lower()
    match = re.search(rf"({_NUMBER})\s*(?:degrees?\s*|°\s*)?(fahrenheit|celsius|f|c)\b", text)
    if not match:
        return None
    value, unit = float(match.group(1)), match.group(2)[0]
    rest = text[match.end() :]
    if unit == "f" and ("celsius" in rest or "centigrade" in rest):
        return (value - 32) * 5 / 9
    if unit == "c" and "fahrenheit" in rest:
        return value * 9 / 5 + 32
    return None


def _prime(question: str) -> str | None:
    match = re.search(r"\bis\s+(\d+)\s+(?:a\s+)?prime\b", question, re.IGNORECASE)
    if not match:
        return None
    n = int(match.group(1))
    if n > 10**12:
        return None
    is_prime = n >= 2 and all(n % d for d in range(2, math.isqrt(n) + 1))
    return "yes" if is_prime else "no"


def _expression(question: str) -> float | None:
    text = _NOT_ARITHMETIC.sub(" ", question)
    for pattern, replacement in _WORDS.items():
        text = re.sub(pattern, replacement, text, flags=re.IGNORECASE)
    for found in _EXPRESSION.findall(text):
        candidate = found.strip().rstrip(".")
        if len(re.findall(r"\d+(?:\.\d+)?", candidate)) < 2 or not re.search(r"[\d)]\s*[-+*/]", candidate):
            continue
        try:
            return _evaluate(ast.parse(candidate, mode="eval").body)
        except (SyntaxError, ValueError, ZeroDivisionError, OverflowError):
            continue
    return None


def _evaluate(node: ast.expr) -> float:
    """Evaluate numbers, + - * / ** and unary minus; anything else raises ``ValueError``."""
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float) and not isinstance(node.value, bool):
        return float(node.value)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        value = _evaluate(node.operand)
        return -value if isinstance(node.op, ast.USub) else value
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        left, right = _evaluate(node.left), _evaluate(node.right)
        if isinstance(node.op, ast.Pow) and (abs(right) > 64 or abs(left) > 1e6):
            raise ValueError("power too large")
        return _BINARY[type(node.op)](left, right)
    raise ValueError("not arithmetic")
