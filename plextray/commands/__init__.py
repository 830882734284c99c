"""One module per subcommand. Each defines `register(subparsers)`; the handler it sets returns an exit status.

Modules here are discovered by plextray.cli, so adding a command is adding a file. Every one is
imported on every run (the headless service included), so their top-level imports are only what
the CLI has loaded anyway: argparse, os, sys, pathlib, datetime, dataclasses, getpass, logging,
and plextray's leaves errors, paths and const. Anything heavier belongs inside the handler.
"""
