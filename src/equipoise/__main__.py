"""``python -m equipoise``: the same command line as the ``equipoise`` script."""

from equipoise.cli import main

if __name__ == "__main__":
    main()
