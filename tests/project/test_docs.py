"""The README stays true: its test command is what CI runs, and every command it lists exists."""

from __future__ import annotations

import re

from conftest import ROOT

from plextray.cli import build_parser
from plextray.core.model import EVENT_JSON_KEYS

README = (ROOT / "README.md").read_text(encoding="utf-8")


def subcommands() -> set[str]:
    action = next(a for a in build_parser()._actions if a.dest == "command")
    return set(action.choices)


def test_ci_runs_the_readme_test_command():
    blocks = re.findall(r"## Running the tests.*?```sh\n(.*?)```", README, re.S)
    assert blocks, "README has no test command block"
    command = blocks[0].strip()
    ci = (ROOT / ".ci" / "run").read_text()
    assert command in ci.splitlines(), f"{command!r} is not a line of .ci/run"


def test_every_command_in_the_readme_exists():
    named = set(re.findall(r"`plextray ([a-z][a-z-]+)", README))
    assert named, "no commands found in the README"
    assert named <= subcommands(), f"README names commands that do not exist: {sorted(named - subcommands())}"


def test_every_command_is_in_the_readme():
    named = set(re.findall(r"`plextray ([a-z][a-z-]+)", README))
    missing = subcommands() - named
    assert not missing, f"commands missing from the README: {sorted(missing)}"


def test_readme_lists_the_events_json_keys_in_order():
    listed = re.search(r"exactly these keys: (.*?)\.\n", README, re.S).group(1)
    assert re.findall(r"`(\w+)`", listed) == list(EVENT_JSON_KEYS)
