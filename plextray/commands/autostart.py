"""`plextray autostart enable|disable|status`: start plextray when the user logs in."""

from __future__ import annotations

import argparse

from plextray.errors import PlexTrayError


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "autostart",
        help="start plextray at login (enable, disable, status)",
        description=(
            "Write or remove the per-user start-at-login entry: an XDG autostart file on Linux "
            "(or, with --systemd, a systemd --user unit running `plextray run --headless`), "
            "a value under HKCU\\...\\Run on Windows, a LaunchAgent on macOS."
        ),
    )
    parser.add_argument("action", choices=("enable", "disable", "status"))
    parser.add_argument(
        "--systemd",
        action="store_true",
        help="Linux without a desktop: manage the systemd --user unit for the headless service",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from plextray.autostart import Autostart

    autostart = Autostart(systemd=args.systemd)
    try:
        if args.action == "enable":
            where = autostart.enable()
            print(f"start at login: enabled ({where})")
            if autostart.kind == "systemd":
                print("start it now with: systemctl --user daemon-reload && systemctl --user start plextray")
                print("keep it running when you are logged out: loginctl enable-linger $USER")
        elif args.action == "disable":
            removed = autostart.disable()
            print("start at login: disabled" + ("" if removed else " (it was not enabled)"))
        else:
            status = autostart.status()
            print(f"start at login: {'enabled' if status.enabled else 'disabled'} ({status.kind}: {status.location})")
    except OSError as exc:
        raise PlexTrayError(f"cannot change start at login ({autostart.path()}): {exc.strerror or exc}") from exc
    return 0
