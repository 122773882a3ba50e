"""The course's command line: ``python -m helpers COMMAND``.

``python -m helpers evaluate`` prints the test accuracy of each trained network shipped
in ``models/`` (``--model PATH`` for one file, ``--json`` for a machine-readable list).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .data import load_mnist
from .saving import MODELS_DIR, load_network
from .training import accuracy


def shipped_models() -> list[Path]:
    """The trained networks that ship with the course, by file name."""
    return sorted(MODELS_DIR.glob("*.npz"))


def evaluate(paths: list[Path]) -> list[dict]:
    """Name, file and test accuracy of each network in ``paths``."""
    inputs, labels = load_mnist("test")
    results = []
    for path in paths:
        network = load_network(path)
        results.append({"name": network.name, "file": str(path),
                        "test_accuracy": accuracy(network, inputs, labels)})
    return results


def _evaluate_command(args: argparse.Namespace) -> int:
    paths = [Path(args.model)] if args.model else shipped_models()
    if not paths:
        print(f"no trained networks in {MODELS_DIR}", file=sys.stderr)
        return 1
    try:
        results = evaluate(paths)
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        for result in results:
            print(f"{result['name']}  {result['file']}  test accuracy {result['test_accuracy']:.4f}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    evaluate_parser = commands.add_parser(
        "evaluate", help="test accuracy of the shipped networks (or of --model PATH)")
    evaluate_parser.add_argument("--model", metavar="PATH", help="evaluate this .npz file only")
    evaluate_parser.add_argument("--json", action="store_true", help="print a JSON list")
    evaluate_parser.set_defaults(run=_evaluate_command)
    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
