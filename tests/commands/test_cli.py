"""The command line's public surface: --help, --version, every subcommand's --help."""

from __future__ import annotations

import subprocess
import sys

import pytest

from plextray import __version__
from plextray.cli import build_parser, main


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "plextray", *args], capture_output=True, text=True, timeout=60)


def test_version():
    result = run("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"plextray {__version__}"


def test_help_lists_commands():
    result = run("--help")
    assert result.returncode == 0
    assert "COMMAND" in result.stdout


def subcommands() -> list[str]:
    parser = build_parser()
    action = next(a for a in parser._actions if a.dest == "command")
    return sorted(action.choices)


@pytest.mark.parametrize("name", subcommands())
def test_every_subcommand_has_help(name):
    result = run(name, "--help")
    assert result.returncode == 0, result.stderr
    assert f"plextray {name}" in result.stdout


def test_an_unforeseen_io_error_is_one_line_not_a_traceback(tmp_path, monkeypatch, capsys):
    import plextray.commands.history as history_command
    from plextray import cli

    def boom(args):
        raise PermissionError(13, "Permission denied", str(tmp_path / "locked"))

    monkeypatch.setattr(history_command, "run", boom)  # registered afresh by main()'s parser
    assert cli.main(["history"]) == 1
    err = capsys.readouterr().err
    assert err.strip() == f"plextray: Permission denied: {tmp_path / 'locked'}"


@pytest.mark.parametrize("fmt", ["text", "json", "html"])
def test_report_output_to_an_unwritable_place_is_a_clear_error(tmp_path, capsys, fmt):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    target = blocker / "report.out"  # its parent is a file: cannot be created or written
    status = main(["report", "--format", fmt, "--output", str(target)])
    err = capsys.readouterr().err
    assert status != 0
    assert err.startswith("plextray: ")
    assert str(target) in err
    assert "Traceback" not in err
