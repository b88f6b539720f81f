"""``python -m equipoise`` and the ``equipoise`` script: the command line.

Without the command-line extra (click, rich), one line says what to install (exit status 2)
instead of a traceback. The process exits without the interpreter's final garbage collections
(:func:`equipoise._exit.skip_final_collections`): about 1.3 s less after a comparison.
"""

from __future__ import annotations

import sys


def main() -> None:
    """Run :func:`equipoise.cli.main`, or say which extra the command needs."""
    from equipoise._exit import skip_final_collections

    skip_final_collections()
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
