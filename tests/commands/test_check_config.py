"""`plextray check-config`: explains a good file, lists every problem of a bad one, exit 2 when invalid."""

from __future__ import annotations

import json
import subprocess
import sys

from support.profiles_example import EXAMPLE_TEXT

from plextray.paths import AppPaths


def run(*args):
    return subprocess.run([sys.executable, "-m", "plextray", "check-config", *args], capture_output=True, text=True, timeout=60)


def test_explains_the_example(tmp_path):
    path = tmp_path / "profiles.json"
    path.write_text(EXAMPLE_TEXT, encoding="utf-8")
    result = run(str(path))
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    for line in [
        "Emma",
        "  devices: C5B092C3-B261-4344-A09F-A6939E10A468, xk4kbse0xxadzpvi",
        "  accounts: emma",
        "  restrictions[0] (time): forbids watching 20:30–07:00 on nights starting Sun–Thu (bedtime) → notify, stop",
        "  restrictions[1] (time): forbids watching 22:00–08:00 on nights starting Fri–Sat (bedtime) → notify, stop",
        "  restrictions[2] (rating): forbids anything rated above PG (age 10+; unrated included) → notify, alert, stop",
        "  restrictions[3] (quota): forbids more than 120 minutes watched per day → notify, stop",
        "  restrictions[4] (quota): forbids more than 20 distinct titles per month → alert",
        "  restrictions[5] (library): forbids anything from the library Adult Movies → stop",
        "Parents",
        "  accounts: admin",
        "  no restrictions",
        "Devices linked to nobody: notify on every play",
        "OK: 2 people, 6 restrictions.",
    ]:
        assert line in out.splitlines(), (line, out)


def test_lists_every_problem_with_its_path(tmp_path):
    path = tmp_path / "bad.json"
    text = EXAMPLE_TEXT.replace('"max": "PG"', '"max": "PG-42"').replace('"20:30"', '"25:00"')
    text = text.replace('"type": "library"', '"type": "libary"')
    path.write_text(text, encoding="utf-8")
    result = run(str(path))
    assert result.returncode == 2
    lines = result.stdout.splitlines()
    assert "INVALID: 3 problems:" in lines
    assert "  $.people[0].restrictions[0].from: bad time '25:00' (expected HH:MM between 00:00 and 23:59)" in lines
    assert "  $.people[0].restrictions[2].max: unknown rating 'PG-42'" in lines
    assert any(line.startswith("  $.people[0].restrictions[5].type: unknown restriction type 'libary'") for line in lines)
    # the parts that are fine are still explained
    assert "  restrictions[3] (quota): forbids more than 120 minutes watched per day → notify, stop" in lines
    assert "  restrictions[2]: ✗ unknown rating 'PG-42'" in lines


def test_bad_json_and_missing_file(tmp_path):
    path = tmp_path / "profiles.json"
    path.write_text('{"version": 1,\n "people": [\n', encoding="utf-8")
    result = run(str(path))
    assert result.returncode == 2
    assert "$: not valid JSON" in result.stdout and "line 3" in result.stdout
    missing = run(str(tmp_path / "nope.json"))
    assert missing.returncode == 2 and "no such file" in missing.stdout


def test_defaults_to_the_app_profiles(plextray_home):
    paths = AppPaths.default().ensure()
    paths.profiles.write_text(EXAMPLE_TEXT, encoding="utf-8")
    result = run()
    assert result.returncode == 0
    assert str(paths.profiles) in result.stdout


def test_explains_unknown_devices_rules_and_notes_unreachable_people(tmp_path):
    path = tmp_path / "profiles.json"
    path.write_text(json.dumps({
        "version": 1,
        "people": [{"name": "Guest room", "restrictions": []}],
        "unknown_devices": {"actions": ["notify", "alert"], "restrictions": [
            {"type": "all", "of": [{"type": "time", "from": "21:00", "to": "06:00"}, {"type": "rating", "max": "TV-14"}],
             "actions": ["stop"]}]},
    }), encoding="utf-8")
    result = run(str(path))
    assert result.returncode == 0, result.stdout
    lines = result.stdout.splitlines()
    assert "  note: no devices and no accounts, so no play is ever theirs" in lines
    assert "Devices linked to nobody: notify, alert on every play" in lines
    assert ("  restrictions[0] (all): forbids (watching 21:00–06:00 on nights starting every day (bedtime)) and "
            "(anything rated above TV-14 (age 14+; unrated allowed)) → stop") in lines
