"""``python -m equipoise`` and the ``equipoise`` script: the command line.

Without the command-line extra (click, rich), one line says what to install (exit status 2)
instead of a traceback.
"""

from __future__ import annotations

import sys


def main() -> None:
    """Run :func:`equipoise.cli.main`, or say which extra the command needs."""
    try:
        from equipoise.cli import main as cli_main
    except ModuleNotFoundError as exc:
        from equipoise._extras import extra_for

        if extra_for(exc.name) != "cli":
            raise
        print(
            f"error: the equipoise command needs {exc.name}, which is not installed: "
            "pip install 'equipoise[cli]'",
            file=sys.stderr,
        )
        sys.exit(2)
    cli_main()


if __name__ == "__main__":
    main()
