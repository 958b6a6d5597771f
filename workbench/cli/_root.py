"""``--root`` anywhere on the line: ``workbench run x.toml --root S`` as well as ``workbench --root S run x.toml``.

Click only reads a group's options before the subcommand's name. The store folder is the one
option every command shares, and people type it last as often as first, so the top-level group
moves a ``--root`` found after the subcommand to the front before parsing — unless that
subcommand declares a ``--root`` of its own (``workbench lab --root``), which then gets it.
"""

from __future__ import annotations

from typing import Any

import typer
from typer.core import TyperGroup, TyperOption

ROOT_OPTION = "--root"


def _is_option(token: str) -> bool:
    return token.startswith("-") and token != "-"


def _subcommand(group: TyperGroup, ctx: typer.Context, args: list[str]) -> tuple[int, Any]:
    """Index just past the subcommand's name in ``args``, and the command that will run (nested
    groups followed, ``--root X`` skipped wherever it is), or None when it cannot be told."""
    start, index = 0, 0
    command: Any = group
    while isinstance(command, TyperGroup) and index < len(args):
        taking_value = {ROOT_OPTION} | {
            opt
            for param in command.params
            if isinstance(param, TyperOption) and not param.is_flag and not param.count
            for opt in param.opts
        }
        while index < len(args) and _is_option(args[index]):
            index += 2 if args[index] in taking_value else 1
        if index >= len(args):
            return start, None
        command = command.get_command(ctx, args[index])
        index += 1
        start = start or index
    return start, command


def _declares_root(command: Any) -> bool:
    return command is not None and any(ROOT_OPTION in param.opts for param in command.params)


def hoist_root(group: TyperGroup, ctx: typer.Context, args: list[str]) -> list[str]:
    """``args`` with every ``--root X`` / ``--root=X`` after the subcommand moved before it."""
    start, command = _subcommand(group, ctx, args)
    if start == 0 or _declares_root(command):
        return args
    head, moved, rest = list(args[:start]), list[str](), list[str]()
    index = start
    while index < len(args):
        token = args[index]
        if token == "--":
            rest.extend(args[index:])
            break
        if token == ROOT_OPTION and index + 1 < len(args):
            moved.extend(args[index : index + 2])
            index += 2
            continue
        if token.startswith(ROOT_OPTION + "="):
            moved.append(token)
        else:
            rest.append(token)
        index += 1
    return moved + head + rest if moved else args


class RootAnywhereGroup(TyperGroup):
    """The ``workbench`` group: takes ``--root`` before or after the subcommand."""

    def parse_args(self, ctx: typer.Context, args: list[str]) -> list[str]:  # type: ignore[override]
        return super().parse_args(ctx, hoist_root(self, ctx, args))
