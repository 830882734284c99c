"""`plextray setup` in the terminal: prompts with defaults over plextray.setup_flow's steps."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path

from plextray import setup_flow as flow
from plextray.errors import ConfigError, PlexTrayError
from plextray.paths import AppPaths
from plextray.safe_text import for_terminal


class TerminalSetup:
    def __init__(self, paths: AppPaths, args: argparse.Namespace) -> None:
        self.paths = paths
        self.args = args
        self.url: str | None = None
        self.token: str | None = None

    # ---- prompting -------------------------------------------------------------------------

    def say(self, text: str = "") -> None:
        print(text, flush=True)

    def ask(self, question: str, default: str = "") -> str:
        if self.args.yes:
            return default
        shown = f" [{default}]" if default else ""
        try:
            answer = input(f"{question}{shown}: ").strip()
        except EOFError:
            raise ConfigError("setup stopped: no more answers (use --yes with options to run it unattended)") from None
        return answer or default

    def yes(self, question: str, default: bool = True) -> bool:
        answer = self.ask(f"{question} ({'Y/n' if default else 'y/N'})", "").lower()
        if not answer:
            return default
        return answer.startswith("y")

    # ---- the steps --------------------------------------------------------------------------

    def run(self) -> int:
        self.say("plextray setup — a few steps to protect a child. Enter keeps the [default].")
        self.server()
        self.logs()
        self.people()
        alerts_saved = self.alerts()
        self.finish()
        return 0 if alerts_saved else 1

    def server(self) -> None:
        self.say("\n1. Plex server")
        found = [] if self.args.url else flow.discover(timeout=1.5)
        if found:
            self.say(f"   Found Plex Media Server at {found[0]}" + (f" (also: {', '.join(found[1:])})" if found[1:] else ""))
        elif not self.args.url:
            self.say("   No Plex server found on this computer or the network.")
        url = self.args.url or self.ask("   Server address", found[0] if found else flow.LOCAL_URL)
        if "://" not in url:
            url = f"http://{url}"
        token = self.sign_in()
        try:
            connected = flow.connect(url, token)
        except PlexTrayError as exc:
            raise type(exc)(f"{exc} — nothing was saved") from None
        self.say(f"   Connected to {for_terminal(connected.name)} (version {for_terminal(connected.version)}); "
                 f"Plex Pass: {'yes' if connected.plex_pass else 'no — plextray can warn but not stop plays'}.")
        store = self.args.store or ("keyring" if flow.keyring_available() else None)
        if store is None:
            where = self.paths.home / "plex-token"
            if not self.yes(f"   No system keyring here. Keep the token in {where}, readable by you only?"):
                raise ConfigError("the token was not kept: run `plextray setup` again with a keyring unlocked, "
                                  "or set PLEX_URL and PLEX_TOKEN for the service")
            store = "file"
        self.say(f"   Token kept {flow.save_server(self.paths, connected.url, token, store=store)}.")
        self.url, self.token, self.connected = connected.url, token, connected

    def sign_in(self) -> str:
        from plextray.secrets import register_secret

        own = None if (self.args.pin or self.args.token_stdin) else flow.server_own_token()
        if self.args.token_stdin:
            token = sys.stdin.readline().strip()
        elif self.args.server_token:
            if own is None:
                raise ConfigError("the server's own token is not readable here (Preferences.xml belongs to the "
                                  "user Plex runs as); sign in with --pin instead")
            token = own
        elif os.environ.get("PLEX_TOKEN") and not self.args.pin:
            token = os.environ["PLEX_TOKEN"].strip()
            self.say("   Using PLEX_TOKEN from the environment.")
        else:
            choices = ["Sign in with Plex (a code to enter at plex.tv/link)"]
            if own:
                choices.append("Use this server's own token (read from its preferences)")
            choices.append("Paste a token")
            choice = "1"
            if not self.args.pin and len(choices) > 1 and not self.args.yes:
                self.say("   How do you want to sign in?")
                for number, text in enumerate(choices, 1):
                    self.say(f"     {number}) {text}")
                choice = self.ask("   Choice", "1")
            picked = choices[int(choice) - 1] if choice.isdigit() and 1 <= int(choice) <= len(choices) else choices[0]
            if picked.startswith("Sign in"):
                from plextray.plex.pinlogin import pin_login

                token = pin_login(lambda text: self.say("   " + text))
                self.say("   Signed in.")
            elif picked.startswith("Use this"):
                token = own or ""
            else:
                token = getpass.getpass("   Plex token (input hidden): ").strip()
        if not token:
            raise ConfigError("no token: nothing was saved")
        register_secret(token)
        return token

    def logs(self) -> None:
        self.say("\n2. Plex's logs")
        if self.args.log_dir:
            folder = flow.save_log_dir(self.paths, Path(self.args.log_dir).expanduser())
            self.say(f"   Plex's logs are in {folder}")
        else:
            folder, sentence = flow.find_logs(self.paths)
            self.say(f"   {for_terminal(sentence, None)}")
            while folder is None:
                typed = self.ask("   Plex's Logs folder (Enter to go on without: plays are then seen through the server only)")
                if not typed:
                    break
                try:
                    folder = flow.save_log_dir(self.paths, Path(typed).expanduser())
                except PlexTrayError as exc:
                    self.say(f"   {for_terminal(exc, None)}")
        if self.connected.debug_logging:
            self.say("   Plex's debug logging is on: every play is written to its log.")
            return
        self.say("   Plex's debug logging is off. Without it plextray still enforces rules (through the server's "
                 "live sessions), but keeps no history from the log.")
        wanted = self.args.debug_logging == "on" or (self.args.debug_logging is None and self.yes("   Turn it on now?"))
        if wanted:
            flow.set_debug_logging(self.url, self.token, True)
            self.say("   Debug logging turned on.")

    def people(self) -> None:
        self.say("\n3. People")
        name = self.args.child or self.ask("   Child's name (Enter to skip)")
        while name:
            devices, accounts = list(self.args.device), list(self.args.account)
            if not (devices or accounts) and not self.args.yes:
                devices, accounts = self.pick(name)
            rules = [] if self.args.no_preset else self.rules()
            flow.add_child(self.paths, name, devices=devices, accounts=accounts, rules=rules)
            self.say(f"   Saved {for_terminal(name)}: {len(devices)} device(s), {len(accounts)} account(s), "
                     f"{len(rules)} rule(s) in {self.paths.profiles}.")
            if self.args.child or not self.yes("   Add another child?", default=False):
                break
            name = self.ask("   Child's name (Enter to stop)")

    def pick(self, name: str) -> tuple[list[str], list[str]]:
        seen = flow.seen_recently(self.paths, self.url, self.token)
        for problem in seen.problems:
            self.say(f"   ({for_terminal(problem, None)})")
        if not seen.candidates:
            self.say("   No devices seen yet; link them later in Settings (they appear once they play).")
            return [], []
        self.say(f"   Devices and accounts seen recently — which are {for_terminal(name)}'s?")
        for number, candidate in enumerate(seen.candidates, 1):
            owner = f" [now {candidate.owner}'s]" if candidate.owner else ""
            self.say(f"     {number}) {candidate.label}{for_terminal(owner)}")
        while True:
            typed = self.ask("   Numbers, separated by spaces (Enter for none)")
            try:
                picked = [seen.candidates[int(part) - 1] for part in typed.replace(",", " ").split()]
            except (ValueError, IndexError):
                self.say(f"   Type numbers from 1 to {len(seen.candidates)}, e.g. 1 3")
                continue
            return ([c.value for c in picked if c.kind == "device"], [c.value for c in picked if c.kind == "account"])

    def rules(self) -> list[dict]:
        if self.yes(f"   Starting rules: {flow.PRESET_WORDS}. Use these?"):
            return flow.preset()
        bedtime = self.ask("   Bedtime on school nights (HH:MM, or none)", "20:30")
        rating = self.ask("   Highest rating allowed (e.g. G, PG, PG-13, or none)", "PG")
        minutes = self.ask("   Minutes a day (or none)", "120")
        return flow.preset(None if bedtime.lower() == "none" else _hhmm(bedtime),
                           None if rating.lower() == "none" else rating,
                           None if minutes.lower() == "none" else _minutes(minutes))

    def alerts(self) -> bool:
        """False when an alert URL was given but could not be kept (the rest of setup stands)."""
        from plextray.errors import SecretStoreError

        self.say("\n4. Alerts (optional)")
        url = self.args.alert_url or self.ask("   An alert URL for your phone or e-mail (apprise: ntfy://ntfy.sh/your-topic, "
                                             "mailto://…) (Enter to skip)")
        if not url:
            self.say("   No alerts: plextray notifies on this computer and stops plays.")
            return True
        try:
            flow.save_alert_url(self.paths, url)
        except SecretStoreError as exc:  # alert URLs hold tokens: the keyring or nowhere
            self.say(f"   Alert URL NOT saved: {for_terminal(exc, None)}")
            return False
        self.say("   Alert URL saved in the system keyring.")
        if not self.args.yes and self.yes("   Send a test alert now?"):
            self.say(f"   {flow.send_test_alert(url)}")
        return True

    def finish(self) -> None:
        from plextray.setup_check import offline_status

        status = offline_status(self.paths)
        self.say("")
        if status["state"] == "needs_setup":
            self.say("Not done yet:")
            for problem in status["problems"]:
                self.say(f"  - {for_terminal(problem, None)}")
        else:
            self.say("Set up. Start plextray with `plextray` (tray) or `plextray run --headless`; "
                     "`plextray autostart enable` starts it at login.")


def _hhmm(text: str) -> str:
    from plextray.core.clockwords import normalise_clock
    from plextray.errors import ConfigError

    value = normalise_clock(text)
    if value is None or value == "24:00":
        raise ConfigError(f"not a time: {text!r} (e.g. 20:30 or 8:30pm)")
    return value


def _minutes(text: str) -> int:
    from plextray.errors import ConfigError

    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise ConfigError(f"minutes a day: a whole number, at least 1, not {text!r}")
    return value
