"""`plextray check-config [FILE]`: validate profiles.json and explain it in plain words."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from plextray.paths import AppPaths


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "check-config",
        help="validate profiles.json and explain each person's rules",
        description=(
            "Validate the profiles file (default: profiles.json in the plextray folder) and explain it: "
            "each person, their devices and accounts, each restriction in plain words, and every "
            "problem with its JSON path. Exits 2 when the file is invalid."
        ),
    )
    parser.add_argument("file", nargs="?", metavar="FILE", help="the profiles file to check")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from plextray.safe_text import for_terminal

    path = Path(args.file) if args.file else AppPaths.default().profiles
    lines, ok = check_file(path)
    # the file's own text (names, messages) is shown back: never an escape sequence or a forged line
    print("\n".join(for_terminal(line, limit=None) for line in lines))
    return 0 if ok else 2


def check_file(path: Path) -> tuple[list[str], bool]:
    """The report's lines and whether the file is valid."""
    from plextray.profiles.schema import compile_document, migrate, parse_text

    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return [f"{path}: no such file (plextray runs with no people and no rules until you write one)"], False
    except (OSError, UnicodeDecodeError) as exc:
        return [f"{path}: cannot read: {exc}"], False
    doc, problems = parse_text(text)
    profiles = None
    if not problems:
        profiles, problems = compile_document(doc)
    lines = [f"{path}"]
    migrated = migrate(doc)[0] if doc is not None else None
    if migrated is not None:
        lines.extend(explain(migrated))
    if problems:
        lines.append("")
        lines.append(f"INVALID: {len(problems)} problem{'s' if len(problems) != 1 else ''}:")
        lines.extend(f"  {issue.path}: {issue.message}" for issue in problems)
        lines.append("plextray keeps using the last good profiles until this is fixed.")
        return lines, False
    assert profiles is not None
    count = sum(len(p.restrictions) for p in profiles.people)
    lines.extend(_shared_notes(profiles))
    lines.append("")
    lines.append(f"OK: {len(profiles.people)} people, {count} restrictions.")
    return lines, True


def _shared_notes(profiles: Any) -> list[str]:
    """Say plainly what sharing one Plex account means (issue 11): only the device tells the
    people apart, and the device's id is chosen by the app."""
    from plextray.core.household import shared_accounts

    lines: list[str] = []
    for account, names in shared_accounts(profiles).items():
        lines.append("")
        lines.append(f"note: {' and '.join(names)} share the Plex account {account!r}: only the device tells them "
                     "apart, so a child who copies a parent's device id is not caught. One Plex Home managed "
                     "user per child is safer (see README, \"Who is watching\").")
    if profiles.shared.devices:
        lines.append(f"Shared devices (identified by the account signed in): {', '.join(profiles.shared.devices)}")
    if profiles.shared.accounts:
        lines.append(f"Shared accounts (identified by the device): {', '.join(profiles.shared.accounts)}")
    return lines


def explain(doc: dict[str, Any]) -> list[str]:
    """Best-effort plain words for every part that compiles, even when others don't."""
    from plextray.core.household import compile_actions
    from plextray.core.restriction_types import compile_condition
    from plextray.core.rules import describe_actions
    from plextray.core.specs import Issues, Reader

    def restriction_lines(items: object, path: str, indent: str) -> list[str]:
        if not isinstance(items, list) or not items:
            return [f"{indent}no restrictions"]
        out = []
        for index, spec in enumerate(items):
            issues = Issues()
            at = f"{path}[{index}]"
            condition = compile_condition(spec, at, issues, extra_keys=("actions",))
            actions = compile_actions(Reader(spec, at, issues)) if isinstance(spec, dict) else None
            label = f"restrictions[{index}]"
            if condition is None or actions is None or issues:
                out.append(f"{indent}{label}: ✗ {issues.items[0].message if issues else 'invalid'}")
                continue
            out.append(f"{indent}{label} ({condition.kind}): forbids {condition.describe()} → {describe_actions(actions)}")
        return out

    lines: list[str] = []
    people = doc.get("people")
    for index, person in enumerate(people if isinstance(people, list) else []):
        if not isinstance(person, dict):
            lines.append(f"people[{index}]: ✗ not an object")
            continue
        name = person.get("name") if isinstance(person.get("name"), str) else f"people[{index}] (no name)"
        lines.append("")
        lines.append(f"{name}")
        for key in ("devices", "accounts"):
            values = person.get(key) or []
            shown = ", ".join(str(v) for v in values) if isinstance(values, list) and values else "(none)"
            lines.append(f"  {key}: {shown}")
        if not person.get("devices") and not person.get("accounts"):
            lines.append("  note: no devices and no accounts, so no play is ever theirs")
        lines.extend(restriction_lines(person.get("restrictions"), f"$.people[{index}].restrictions", "  "))
    unknown = doc.get("unknown_devices")
    if isinstance(unknown, dict):
        lines.append("")
        actions = unknown.get("actions") or []
        readable = isinstance(actions, list) and all(isinstance(action, str) for action in actions)
        lines.append(f"Devices linked to nobody: {describe_actions(tuple(actions)) if readable else '✗'} on every play")
        if unknown.get("restrictions"):
            lines.extend(restriction_lines(unknown.get("restrictions"), "$.unknown_devices.restrictions", "  "))
    settings = doc.get("settings")
    if isinstance(settings, dict):
        message = settings.get("stop_message")
        grace = settings.get("grace_seconds", 0)
        lines.append(f"Stop message: {message!r}; warning before a stop: {grace} s")
    return lines
