"""``python -m ifrc_kg.reference regenerate [--sources DIR] [--out DIR]``."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from ifrc_kg.config import artefact_dir
from ifrc_kg.reference.generate import regenerate


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m ifrc_kg.reference")
    commands = parser.add_subparsers(dest="command", required=True)
    command = commands.add_parser("regenerate", help="rewrite the tables of data/reference/")
    command.add_argument("--sources", type=Path, default=None)
    command.add_argument("--out", type=Path, default=None)
    arguments = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    out = arguments.out or artefact_dir("reference")
    regenerate(arguments.sources or out / "sources", out)


if __name__ == "__main__":
    main()
