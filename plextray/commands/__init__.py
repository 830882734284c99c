"""One module per subcommand. Each defines `register(subparsers)`; the handler it sets returns an exit status.

Modules here are discovered by plextray.cli, so adding a command is adding a file. Keep their
top-level imports light (argparse only): heavy imports belong inside the handler.
"""
