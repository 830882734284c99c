"""Review findings in the CLI: errors end in one `plextray: ...` line and a non-zero status, no traceback."""

from __future__ import annotations

import pytest

from plextray.cli import main


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
