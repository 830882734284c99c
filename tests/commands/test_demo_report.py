"""`plextray demo --home DIR` keeps what it made and says so; its plays last minutes of simulated
time so the report shows real figures; `report --format html` says where the file goes and
`--output` writes it where asked (`-`: stdout)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest


def plextray(*args: str, home=None, timeout: float = 120) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env.pop("DISPLAY", None)
    if home is not None:
        env["PLEXTRAY_HOME"] = str(home)
    return subprocess.run([sys.executable, "-m", "plextray", *args], env=env, capture_output=True, text=True,
                          timeout=timeout)


@pytest.fixture(scope="module")
def demo_home(tmp_path_factory):
    home = tmp_path_factory.mktemp("demo") / "kept here"
    result = plextray("demo", "--terminal", "--home", str(home))
    assert result.returncode == 0, result.stdout + result.stderr
    return home, result.stdout


def test_demo_with_home_keeps_everything_and_says_so(demo_home):
    home, out = demo_home
    assert f"Everything the demo made is kept in {home}" in out
    assert "opens with zcat" in out
    assert (home / "history.sqlite3").is_file() and list((home / "archives").glob("*.log.gz"))
    assert (home / "profiles.json").is_file()


def test_demo_plays_last_minutes_so_the_report_has_real_figures(demo_home, plextray_home):
    home, out = demo_home
    assert "Emma — 20 min" in out and "Parents — 46 min" in out, out
    assert "STOPPED by plextray" in out and "Quota: 20 min of 2 h 00 min today" in out
    report = json.loads(plextray("report", "--format", "json", home=home).stdout)  # the kept history, later
    text = json.dumps(report)
    assert "Night Shift" in text and "The Lost Kite" in text


def test_demo_without_home_says_its_folder_goes(plextray_home):
    result = plextray("demo", "--terminal")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "temporary folder is deleted now; `plextray demo --home DIR` keeps" in result.stdout
    assert "opens with zcat" not in result.stdout
    assert not plextray_home.exists()  # the user's own state is never touched


def test_html_report_goes_to_the_reports_folder_or_where_asked(demo_home, tmp_path):
    home, _ = demo_home
    default = plextray("report", "--format", "html", home=home)
    assert default.returncode == 0, default.stderr
    written = default.stdout.strip()
    assert written.startswith(str(home / "reports" / "report-")) and written.endswith(".html")
    assert "<html" in open(written, encoding="utf-8").read()
    target = tmp_path / "out" / "today.html"
    target.parent.mkdir()
    asked = plextray("report", "--format", "html", "--output", str(target), home=home)
    assert asked.returncode == 0 and asked.stdout.strip() == str(target)
    assert "The Lost Kite" in target.read_text(encoding="utf-8")
    piped = plextray("report", "--format", "html", "--output", "-", home=home)
    assert piped.returncode == 0 and piped.stdout.lstrip().lower().startswith("<!doctype html")
    help_text = plextray("report", "--help").stdout
    assert "$PLEXTRAY_HOME/reports/report-<date>.html" in " ".join(help_text.split())
