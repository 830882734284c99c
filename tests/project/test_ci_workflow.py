"""The GitHub Actions workflow cannot run here, so it is checked here: against GitHub's workflow
schema (check-jsonschema vendors it: no network), and for what each job must do."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = ROOT / ".github" / "workflows" / "ci.yml"


def _validate(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows",
                           str(path)], capture_output=True, text=True, timeout=120)


def test_the_workflow_matches_githubs_schema():
    result = _validate(WORKFLOW)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_schema_check_catches_a_broken_workflow(tmp_path):
    broken = tmp_path / "ci.yml"
    broken.write_text(WORKFLOW.read_text().replace("runs-on: windows-latest", "runs_on: windows-latest"))
    result = _validate(broken)
    assert result.returncode != 0 and "runs-on" in result.stdout + result.stderr


@pytest.fixture(scope="module")
def jobs() -> dict:
    import yaml

    return yaml.safe_load(WORKFLOW.read_text())["jobs"]


def _script(job: dict) -> str:
    return "\n".join(step.get("run", "") for step in job["steps"])


def test_debian_runs_the_whole_suite_through_tests_run_sh(jobs):
    linux = jobs["linux"]
    assert linux["runs-on"] == "ubuntu-latest" and linux["container"] == "debian:12"
    assert "bash tests/run.sh" in _script(linux)


def test_windows_and_macos_run_the_non_gui_suite_and_build_the_app(jobs):
    markers = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]["markers"]
    assert any(m.startswith("gui:") for m in markers)  # the -m "not gui" below selects on a real marker
    for name, runner in (("windows", "windows-latest"), ("macos", "macos-latest")):
        job = jobs[name]
        assert job["runs-on"] == runner
        setup = next(s for s in job["steps"] if s.get("uses", "").startswith("actions/setup-python"))
        assert setup["with"]["python-version"] == "3.11"
        script = _script(job)
        assert '-m pytest -q -m "not gui"' in script
        assert "pyinstaller --noconfirm installer/plextray.spec" in script
    assert (ROOT / "installer" / "plextray.spec").exists()


def test_windows_builds_the_inno_setup_installer_from_the_app_folder(jobs):
    script = _script(jobs["windows"])
    assert "installer\\plextray.iss" in script and "ISCC" in script
    iss = (ROOT / "installer" / "plextray.iss").read_text()
    assert 'Source: "..\\dist\\plextray\\*"' in iss and "OutputDir=..\\dist" in iss  # where PyInstaller put it
    upload = next(s for s in jobs["windows"]["steps"] if s.get("uses", "").startswith("actions/upload-artifact"))
    assert upload["with"]["path"] == "dist/*-setup.exe"


def test_windows_and_macos_jobs_get_the_notification_buttons_library(jobs):
    """desktop-notifier (toasts, macOS notifications with buttons) is a runtime dependency on Windows
    and macOS only; the jobs install the project, so their suite and their app have it."""
    from packaging.requirements import Requirement

    dependencies = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    (spec,) = [Requirement(d) for d in dependencies if d.startswith("desktop-notifier")]
    wanted = {platform: spec.marker.evaluate({"sys_platform": platform}) for platform in ("win32", "darwin", "linux")}
    assert wanted == {"win32": True, "darwin": True, "linux": False}  # Linux: its freedesktop path
    for name in ("windows", "macos"):
        assert 'pip install -e ".[test]"' in _script(jobs[name])
