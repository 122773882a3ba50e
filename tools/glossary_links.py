"""Link a notebook's first use of each glossary word to docs/glossary.md.

A word is linked where it first appears in **bold** in a Markdown cell of the lesson (the
course bolds a word where it explains it), if docs/glossary.md has a heading for it
("## learning rate" gives the anchor #learning-rate; a plural "layers" finds "layer").
The "## Exercises" section and what follows it are left alone: the exercises are written
by tools/format_exercises.py. Links already there are kept; running it twice changes
nothing.

    python tools/glossary_links.py notebooks/07_better_training.ipynb ...
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GLOSSARY = ROOT / "docs" / "glossary.md"
LINK = "../docs/glossary.md#{}"
#: other names of glossary words, as the notebooks write them
ALIASES = {"rectified linear unit": "relu", "mean and spread": "spread", "filter": "kernel",
           "mini-batch": "batch", "fully connected": "dense layer", "f1": "f1 score",
           "turned and shifted digits": "augmentation"}


def anchor(heading: str) -> str:
    """GitHub's anchor for a Markdown heading: lower case, spaces to hyphens."""
    return re.sub(r"[^a-z0-9 -]", "", heading.lower()).replace(" ", "-")


def glossary_words() -> dict[str, str]:
    """word (lower case) -> its anchor in docs/glossary.md."""
    words = {line[3:].strip().lower(): anchor(line[3:].strip())
             for line in GLOSSARY.read_text(encoding="utf-8").splitlines()
             if line.startswith("## ")}
    words.update({alias: words[target] for alias, target in ALIASES.items() if target in words})
    return words


def find_word(text: str, words: dict[str, str]) -> str | None:
    """The anchor of the glossary word that ``text`` (bold in a notebook) names, if any:
    "A learning-rate schedule." finds "learning-rate schedule", "epochs" finds "epoch"."""
    text = re.sub(r"^(a|an|the) ", "", text.lower().strip(" .,:;"))
    for candidate in (text, text[:-1] if text.endswith("s") else None):
        if candidate in words:
            return words[candidate]
    return None


def link_notebook(path: Path) -> int:
    """Link the first bold use of each glossary word in the notebook; the number of links made."""
    words = glossary_words()
    notebook = json.loads(path.read_text(encoding="utf-8"))
    done = set()
    made = 0
    for cell in notebook["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        text = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        if text.startswith("## Exercises"):
            break  # the lesson ends here
        done |= set(re.findall(r"\]\(\.\./docs/glossary\.md#([\w-]+)\)", text))

        def replace(match: re.Match) -> str:
            nonlocal made
            start = match.start()
            if text[max(0, start - 1):start] == "[":  # already a link
                return match.group(0)
            target = find_word(match.group(1), words)
            if target is None or target in done:
                return match.group(0)
            done.add(target)
            made += 1
            return f"[{match.group(0)}]({LINK.format(target)})"

        new = re.sub(r"\*\*([^*\n]+?)\*\*", replace, text)
        if new != text:
            lines = new.split("\n")
            cell["source"] = [line + "\n" for line in lines[:-1]] + ([lines[-1]] if lines[-1] else [])
    if made:
        path.write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return made


if __name__ == "__main__":
    for argument in sys.argv[1:]:
        print(f"{argument}: {link_notebook(Path(argument))} glossary links")
