"""The course's command line: ``python -m helpers COMMAND``.

``python -m helpers evaluate`` prints the test accuracy of each trained network shipped
in ``models/`` (``--model PATH``, once or more, for other files; ``--json`` for a
machine-readable list).

``python -m helpers predict IMAGE [IMAGE ...]`` reads the digit in each image file, prepared
like MNIST, with the drawing pad's network (``--model PATH`` to use another network,
``--json`` for a machine-readable list).

``python -m helpers read-number IMAGE [IMAGE ...]`` reads every digit in each image, left
to right, as a whole number (same options; the JSON gives each digit's box).

Every file gets its own result or its own error, and one bad file never stops the others;
the exit code is 1 if any file could not be read. File names in any encoding, output piped
into a command that stops reading early (``| head -1``) and Ctrl-C end with a line of
explanation at most, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from .data import load_mnist
from .own_digits import Reading, read_digit
from .whole_numbers import NumberReading, read_number
from .saving import BEST_MODEL, MODELS_DIR, load_network, load_reading_network
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
    """Name, file and test accuracy of each network in ``paths``, each file on its own.

    Returns a list of dicts with the keys ``name``, ``file`` (see :func:`shown_path`) and
    ``test_accuracy`` (the fraction of the 10,000 test images read right); a file that
    cannot be loaded gets ``name`` and ``test_accuracy`` None and ``error``, what is wrong."""
    inputs, labels = load_mnist("test")
    results = []
    for path in paths:
        try:
            network = load_network(path)
        except (OSError, ValueError) as exc:
            results.append({"name": None, "file": shown_path(path), "test_accuracy": None,
                            "error": str(exc)})
            continue
        results.append({"name": network.name, "file": shown_path(path),
                        "test_accuracy": accuracy(network, inputs, labels)})
    return results


def accuracy_table(results: list[dict]) -> str:
    """The results of :func:`evaluate` as a plain-text table, one network a line (the
    files that could not be loaded are left out: their errors are printed apart)."""
    rows = [("name", "file", "test accuracy")] + [
        (result["name"] or "(no name)", result["file"], f"{result['test_accuracy']:.4f}")
        for result in results if "error" not in result]
    widths = [max(len(row[column]) for row in rows) for column in range(3)]
    return "\n".join(f"{name:<{widths[0]}}  {file:<{widths[1]}}  {score:>{widths[2]}}"
                     for name, file, score in rows)


def _evaluate_command(args: argparse.Namespace) -> int:
    paths = [Path(model) for model in args.model] if args.model else shipped_models()
    if not paths:
        print(f"no trained networks in {shown_path(MODELS_DIR)}", file=sys.stderr)
        return 1
    try:
        results = evaluate(paths)
    except (OSError, ValueError) as exc:  # the test data could not be read
        print(f"error: {exc}", file=sys.stderr)
        return 1
    failed = [result for result in results if "error" in result]
    if args.json:
        print(json.dumps(results, indent=2))
    elif len(failed) < len(results):
        print(accuracy_table(results))
    for result in failed:
        print(f"error: {result['error']}", file=sys.stderr)
    return 1 if failed else 0


def predict(network, files: list[str]) -> list[Reading | Exception]:
    """What ``network`` reads in each image file, in order: a Reading, or the error that
    kept the file from being read (one bad file does not stop the others)."""
    return [read_one(network, file) for file in files]


def read_one(network, file: str, read=read_digit):
    """What ``read(network, file)`` gives (a Reading, or a NumberReading), or the error that
    kept the file from being read: the course's image door (helpers.image_files) turns
    whatever goes wrong in a decoder into a ValueError, and a missing or forbidden file is
    an OSError."""
    try:
        return read(network, file)
    except (OSError, ValueError) as exc:
        return exc


def prediction_json(file: str, outcome: Reading | Exception) -> dict:
    """One image's result for ``--json``: ``file``, ``digit`` (None when there is no digit
    to read), ``confidence``, ``unsure`` and ``message`` (as the plain output shows them),
    and ``error`` when the file could not be read."""
    if isinstance(outcome, Exception):
        return {"file": file, "digit": None, "confidence": None, "unsure": None,
                "message": None, "error": str(outcome)}
    return {"file": file, "digit": outcome.digit, "confidence": round(outcome.confidence, 4),
            "unsure": outcome.unsure, "message": outcome.message}


def prediction_line(file: str, outcome: Reading) -> str:
    """One image's result as the plain output of ``predict`` prints it."""
    if outcome.digit is None:
        return f"{file}: no digit ({outcome.message})"
    unsure = f"  unsure: {outcome.message}" if outcome.unsure else ""
    return f"{file}: {outcome.digit} (confidence {outcome.confidence:.2f}){unsure}"


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


def number_line(file: str, outcome: NumberReading) -> str:
    """One image's result as the plain output of ``read-number`` prints it."""
    if outcome.number is None:
        return f"{file}: no digits (write a number first)"
    sure = " ".join(f"{digit.digit}:{digit.confidence:.2f}" for digit in outcome.digits)
    return f"{file}: {outcome.number} (confidence of each digit {sure})"


def _read_files(args: argparse.Namespace, read, as_json, as_line) -> int:
    """Read each of ``args.images`` with ``read``, printing each result as soon as it is
    known (or, with ``--json``, one list at the end); errors go to stderr. Exit code 1 if
    any file could not be read."""
    try:
        network = load_reading_network(args.model)
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    answers, failed = [], 0
    for file in args.images:
        outcome = read_one(network, file, read)
        failed += isinstance(outcome, Exception)
        if args.json:
            answers.append(as_json(file, outcome))
        elif isinstance(outcome, Exception):
            print(f"{file}: error: {outcome}", file=sys.stderr, flush=True)
        else:
            print(as_line(file, outcome), flush=True)
    if args.json:
        print(json.dumps(answers, indent=2))
        for answer in answers:
            if "error" in answer:
                print(f"{answer['file']}: error: {answer['error']}", file=sys.stderr)
    if failed:
        print(f"{failed} of {len(args.images)} files could not be read", file=sys.stderr)
    return 1 if failed else 0


def _predict_command(args: argparse.Namespace) -> int:
    return _read_files(args, read_digit, prediction_json, prediction_line)


def _read_number_command(args: argparse.Namespace) -> int:
    return _read_files(args, read_number, number_json, number_line)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    evaluate_parser = commands.add_parser(
        "evaluate", help="test accuracy of the shipped networks (or of --model PATH)")
    evaluate_parser.add_argument("--model", metavar="PATH", action="append",
                                 help="evaluate this .npz file (give --model again for more)")
    evaluate_parser.add_argument("--json", action="store_true", help="print a JSON list")
    evaluate_parser.set_defaults(run=_evaluate_command)
    predict_parser = commands.add_parser(
        "predict", help="read the digit in image files (PNG, JPEG ...), prepared like MNIST")
    predict_parser.add_argument("images", nargs="+", metavar="IMAGE", help="an image file")
    model_help = (f"the network to use (default: models/{BEST_MODEL.name}, the drawing pad's: "
                  "see helpers.saving.load_reading_network)")
    predict_parser.add_argument("--model", metavar="PATH", help=model_help)
    predict_parser.add_argument("--json", action="store_true",
                                help="print a JSON list, one object per image, in order")
    predict_parser.set_defaults(run=_predict_command)
    number_parser = commands.add_parser(
        "read-number", help="read every digit in image files, left to right, as a number")
    number_parser.add_argument("images", nargs="+", metavar="IMAGE", help="an image file")
    number_parser.add_argument("--model", metavar="PATH", help=model_help)
    number_parser.add_argument("--json", action="store_true",
                               help="print a JSON list, one object per image, in order")
    number_parser.set_defaults(run=_read_number_command)
    for stream in (sys.stdout, sys.stderr):  # a file name in any encoding can be printed
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    try:
        args = parser.parse_args(argv)
        code = args.run(args)
        sys.stdout.flush()  # here, so that a closed pipe is met inside the try
        return code
    except KeyboardInterrupt:  # Ctrl-C
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader stopped reading (| head -1): stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # nothing more to say
        return 1


if __name__ == "__main__":
    sys.exit(main())
