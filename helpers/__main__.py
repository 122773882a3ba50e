"""The course's command line: ``python -m helpers COMMAND``.

``python -m helpers evaluate`` prints the test accuracy of each trained network shipped
in ``models/`` (``--model PATH`` for one file, ``--json`` for a machine-readable list).

``python -m helpers predict IMAGE [IMAGE ...]`` reads the digit in each image file, prepared
like MNIST, with the drawing pad's network (``--model PATH`` to use another network,
``--json`` for a machine-readable list).

``python -m helpers read-number IMAGE [IMAGE ...]`` reads every digit in each image, left
to right, as a whole number (same options; the JSON gives each digit's box).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .data import load_mnist
from .own_digits import Reading, read_digit
from .whole_numbers import NumberReading, read_number
from .saving import BEST_MODEL, DEFAULT_MODEL, MODELS_DIR, load_network, load_reading_network
from .training import accuracy


#: The top folder of the course (the clone of the repository).
ROOT = MODELS_DIR.parent


def shipped_models() -> list[Path]:
    """The trained networks that ship with the course, by file name."""
    return sorted(MODELS_DIR.glob("*.npz"))


def shown_path(path: Path) -> str:
    """``path`` as the course shows it: relative to the top folder of the course (such as
    ``models/mnist_784_200_10.npz``) when it is inside it, else as an absolute path."""
    path = Path(path).resolve()
    try:
        return path.relative_to(ROOT).as_posix()
    except ValueError:
        return str(path)


def evaluate(paths: list[Path]) -> list[dict]:
    """Name, file and test accuracy of each network in ``paths``.

    Returns a list of dicts with the keys ``name``, ``file`` (see :func:`shown_path`) and
    ``test_accuracy`` (the fraction of the 10,000 test images read right)."""
    inputs, labels = load_mnist("test")
    results = []
    for path in paths:
        network = load_network(path)
        results.append({"name": network.name, "file": shown_path(path),
                        "test_accuracy": accuracy(network, inputs, labels)})
    return results


def accuracy_table(results: list[dict]) -> str:
    """The results of :func:`evaluate` as a plain-text table, one network a line."""
    rows = [("name", "file", "test accuracy")] + [
        (result["name"] or "(no name)", result["file"], f"{result['test_accuracy']:.4f}")
        for result in results]
    widths = [max(len(row[column]) for row in rows) for column in range(3)]
    return "\n".join(f"{name:<{widths[0]}}  {file:<{widths[1]}}  {score:>{widths[2]}}"
                     for name, file, score in rows)


def _evaluate_command(args: argparse.Namespace) -> int:
    paths = [Path(args.model)] if args.model else shipped_models()
    if not paths:
        print(f"no trained networks in {shown_path(MODELS_DIR)}", file=sys.stderr)
        return 1
    try:
        results = evaluate(paths)
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(results, indent=2) if args.json else accuracy_table(results))
    return 0


def predict(network, files: list[str]) -> list[Reading | Exception]:
    """What ``network`` reads in each image file, in order: a Reading, or the error that
    kept the file from being read (one bad file does not stop the others)."""
    outcomes = []
    for file in files:
        try:
            outcomes.append(read_digit(network, file))
        except (OSError, ValueError) as exc:
            outcomes.append(exc)
    return outcomes


def prediction_json(file: str, outcome: Reading | Exception) -> dict:
    """One image's result for ``--json``: ``file``, ``digit`` (None when there is no digit
    to read), ``confidence``, and ``error`` when the file could not be read."""
    if isinstance(outcome, Exception):
        return {"file": file, "digit": None, "confidence": None, "error": str(outcome)}
    return {"file": file, "digit": outcome.digit, "confidence": round(outcome.confidence, 4)}


def _predict_command(args: argparse.Namespace) -> int:
    try:
        network = load_reading_network(args.model)
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    outcomes = predict(network, args.images)
    if args.json:
        print(json.dumps([prediction_json(file, outcome)
                          for file, outcome in zip(args.images, outcomes)], indent=2))
    for file, outcome in zip(args.images, outcomes):
        if isinstance(outcome, Exception):
            print(f"{file}: error: {outcome}", file=sys.stderr)
        elif args.json:
            pass
        elif outcome.digit is None:
            print(f"{file}: no digit ({outcome.message})")
        else:
            unsure = f"  unsure: {outcome.message}" if outcome.unsure else ""
            print(f"{file}: {outcome.digit} (confidence {outcome.confidence:.2f}){unsure}")
    failed = sum(isinstance(outcome, Exception) for outcome in outcomes)
    if failed:
        print(f"{failed} of {len(outcomes)} files could not be read", file=sys.stderr)
    return 1 if failed else 0


def number_json(file: str, outcome: NumberReading | Exception) -> dict:
    """One image's result for ``read-number --json``: ``file``, ``number`` (a string, None
    when no digit can be read), ``digits`` (each with ``digit``, ``confidence`` and ``box``,
    [left, top, right, bottom] in the image's pixels), and ``error`` when the file could
    not be read."""
    if isinstance(outcome, Exception):
        return {"file": file, "number": None, "digits": [], "error": str(outcome)}
    return {"file": file, "number": outcome.number,
            "digits": [{"digit": digit.digit, "confidence": round(digit.confidence, 4),
                        "box": list(digit.box)} for digit in outcome.digits]}


def _read_number_command(args: argparse.Namespace) -> int:
    try:
        network = load_network(args.model)
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    answers, failed = [], 0
    for file in args.images:  # each file's result is printed as soon as it is known
        try:
            outcome = read_number(network, file)
        except (OSError, ValueError) as exc:
            outcome = exc
        failed += isinstance(outcome, Exception)
        if args.json:
            answers.append(number_json(file, outcome))
        elif isinstance(outcome, Exception):
            print(f"{file}: error: {outcome}", file=sys.stderr, flush=True)
        elif outcome.number is None:
            print(f"{file}: no digits (write a number first)", flush=True)
        else:
            sure = " ".join(f"{digit.digit}:{digit.confidence:.2f}" for digit in outcome.digits)
            print(f"{file}: {outcome.number} (confidence of each digit {sure})", flush=True)
    if args.json:
        print(json.dumps(answers, indent=2))
        for answer in answers:
            if "error" in answer:
                print(f"{answer['file']}: error: {answer['error']}", file=sys.stderr)
    if failed:
        print(f"{failed} of {len(args.images)} files could not be read", file=sys.stderr)
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    evaluate_parser = commands.add_parser(
        "evaluate", help="test accuracy of the shipped networks (or of --model PATH)")
    evaluate_parser.add_argument("--model", metavar="PATH", help="evaluate this .npz file only")
    evaluate_parser.add_argument("--json", action="store_true", help="print a JSON list")
    evaluate_parser.set_defaults(run=_evaluate_command)
    predict_parser = commands.add_parser(
        "predict", help="read the digit in image files (PNG, JPEG ...), prepared like MNIST")
    predict_parser.add_argument("images", nargs="+", metavar="IMAGE", help="an image file")
    predict_parser.add_argument("--model", metavar="PATH",
                                help=f"the network to use (default: models/{BEST_MODEL.name}, "
                                     "the drawing pad's: see helpers.saving.load_reading_network)")
    predict_parser.add_argument("--json", action="store_true",
                                help="print a JSON list, one object per image, in order")
    predict_parser.set_defaults(run=_predict_command)
    number_parser = commands.add_parser(
        "read-number", help="read every digit in image files, left to right, as a number")
    number_parser.add_argument("images", nargs="+", metavar="IMAGE", help="an image file")
    number_parser.add_argument("--model", metavar="PATH", default=str(DEFAULT_MODEL),
                               help=f"the network to use (default: models/{DEFAULT_MODEL.name})")
    number_parser.add_argument("--json", action="store_true",
                               help="print a JSON list, one object per image, in order")
    number_parser.set_defaults(run=_read_number_command)
    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
