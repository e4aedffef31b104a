"""The ``tinygrad-lab`` command line."""

import argparse
import sys

from . import __version__


def build_parser():
    parser = argparse.ArgumentParser(
        prog="tinygrad-lab",
        description="A small reverse-mode autograd engine on NumPy, and the backpropagation lab.")
    parser.add_argument("--version", action="version", version=f"tinygrad-lab {__version__}")
    parser.add_subparsers(dest="command", metavar="COMMAND")
    return parser


def main(argv=None):
    """Run the command line; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
