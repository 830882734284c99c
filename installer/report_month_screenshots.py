"""Make the README's month screenshots: the realistic month of tests/support/report_month.py
(four children and the parents, ~500 plays), rendered by headless Chromium on a desktop and at
a phone's 390 px, and the digest e-mail as a phone shows it.

    python installer/report_month_screenshots.py [--out assets/screenshots]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "assets" / "screenshots")
    args = parser.parse_args()
    from support.browser_probe import screenshot
    from support.report_month import DAY, NOW, build_month

    from plextray.config import EmailSettings
    from plextray.mail.messages import digest_message
    from plextray.paths import AppPaths
    from plextray.reports.browser import find_chromium
    from plextray.reports.build import build_report, render_report

    chromium = find_chromium()
    if not chromium:
        raise SystemExit("Chromium is not installed")
    with tempfile.TemporaryDirectory() as tmp:
        paths = AppPaths(Path(tmp) / "home")
        build_month(paths.home)
        month = render_report(build_report(paths, DAY, kind="month", now=NOW), "html")
        day = render_report(build_report(paths, DAY, now=NOW), "html")
        shots = [
            screenshot(chromium, month, 1280, 1500, args.out / "report-month.png"),
            screenshot(chromium, month, 390, 1700, args.out / "report-month-phone.png"),
            screenshot(chromium, day, 390, 1700, args.out / "report-day-phone.png"),
        ]
        settings = EmailSettings(host="smtp.example.org", recipients=("parent@example.org",), sender="plextray@example.org")
        mail = digest_message(settings, build_report(paths, DAY, now=NOW.replace(day=17, month=11, hour=21)), now=NOW)
        html = mail.get_body(("html",)).get_content()
        for part in mail.walk():
            if part.get_content_type() == "image/png":
                chart = Path(tmp) / "chart.png"
                chart.write_bytes(part.get_content())
                html = html.replace(f"cid:{part['Content-ID'].strip('<>')}", chart.as_uri())
        shots.append(screenshot(chromium, html, 390, 1500, args.out / "digest-phone.png"))
        for page in args.out.glob("*.page.html"):
            page.unlink()
    for shot in shots:
        print(shot)
    print(f"digest subject: {mail['Subject']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
