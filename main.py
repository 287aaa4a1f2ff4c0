"""CG Studio entry point: parses the command line and starts the window or a command-line verb.

``python main.py`` in a checkout is the same as the ``cgstudio`` command of an installed copy.
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    from app.cli import run

    return run(sys.argv[1:] if argv is None else argv)


if __name__ == "__main__":
    sys.exit(main())
