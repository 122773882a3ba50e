"""The course's facts, kept in one place, for the notebooks to use as they run.

Where the course lives on GitHub, which notebooks it has and in what order (the course
map that notebook 00 and README show), and the checksums of the MNIST files it ships.

How the course is published (the "Open in Colab" and "Binder" badges of every notebook's
title cell, and its first code cell, which sets the course up on Colab) is written into
the notebooks by ``tools/sync_notebooks.py``, from :data:`REPOSITORY` and :data:`BRANCH`
here. So to publish the course somewhere else, change those two, then run::

    python tools/sync_notebooks.py
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

#: The GitHub repository of the course, as "owner/name". The one line to change when the
#: course moves; then run ``python tools/sync_notebooks.py``.
REPOSITORY = "digits-by-hand/digits-by-hand"

#: The branch that the badges open and that Colab clones.
BRANCH = "main"

#: The top folder of the course (the clone of the repository) and its notebooks.
ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS_DIR = ROOT / "notebooks"

#: The SHA-256 checksums of the MNIST files in ``data/``, as published with the data (the
#: table in data/README.md). The small samples ``mnist_train_100.csv`` and
#: ``mnist_test_10.csv`` have none: git may change their line endings on checkout (Windows),
#: so notebook 00 checks them against the first rows of these two files instead.
DATA_SHA256 = {
    "mnist_train.csv.gz": "340c8d457d2c1438cf501f255a76e5e75de14483907eba70e4dc44f591e1b890",
    "mnist_test.csv.gz": "c49a2db3fb7ffe84bb35c551657786e09462693c81d69dcc8ff5d5d3c0b6933a",
}


@dataclass(frozen=True)
class Notebook:
    """One notebook of the course.

    Parameters
    ----------
    file : its file name in ``notebooks/``, starting with its two-digit number
    title : its title, as its title cell shows it after "# NN · "
    learn : what a learner learns in it, in one sentence
    run_time : about how long "Restart kernel and run all" takes
    """

    file: str
    title: str
    learn: str
    run_time: str

    @property
    def number(self) -> str:
        """The two-digit number, "00" to "99"."""
        return self.file[:2]

    @property
    def heading(self) -> str:
        """The first line of its title cell, e.g. "# 01 · MNIST with pandas"."""
        return f"# {self.number} · {self.title}"

    @property
    def path(self) -> Path:
        return NOTEBOOKS_DIR / self.file

    def exists(self) -> bool:
        """Whether the notebook is in ``notebooks/`` yet (if not, the map says "coming soon")."""
        return self.path.is_file()


#: The course map, in order. Add a notebook here when it is written.
NOTEBOOKS = [
    Notebook("00_start_here.ipynb", "Start here",
             "What the course covers, how to open it, and a check that your setup is ready.",
             "10 s"),
    Notebook("01_mnist_with_pandas.ipynb", "MNIST with pandas",
             "Load the 70,000 handwritten digits with pandas, look at them from several "
             "angles and scale them for a network.",
             "30 s"),
    Notebook("02_network_by_hand.ipynb", "A network by hand",
             "Build a network from neurons, matrices and the sigmoid, and check its "
             "backpropagation against numerical gradients.",
             "15 s"),
    Notebook("03_training_on_mnist.ipynb", "Training on all of MNIST",
             "Train on all 60,000 images: epochs, learning rate, mini-batches, learning "
             "curves, experiments, and saving the network.",
             "2.5 min"),
    Notebook("04_evaluating_with_confusion_matrices.ipynb", "Evaluating with confusion matrices",
             "Measure accuracy, draw confusion-matrix heatmaps and see which digits the "
             "network mistakes for which.",
             "20 s"),
    Notebook("05_your_own_digits.ipynb", "Your own digits",
             "Draw a digit with the mouse, prepare it the way MNIST digits are prepared, "
             "and see what the network reads.",
             "30 s"),
    Notebook("06_inside_the_network.ipynb", "Inside the network",
             "Draw the hidden units' weights as images, see which units fire for which "
             "digits, and run the network backwards to see what it imagines each digit "
             "looks like.",
             "15 s"),
    Notebook("07_better_training.ipynb", "Better training",
             "Cut the network into layers and improve it one measured change at a time "
             "(softmax, ReLU, two hidden layers, Adam, augmented digits) until it reads "
             "over 98.5 % of the test digits.",
             "3 min"),
    Notebook("08_convolutional_network_by_hand.ipynb", "A convolutional network by hand",
             "Build convolution (im2col) and max-pooling layers, check their gradients "
             "numerically and train a convolutional network that reads over 99 % of the "
             "test digits.",
             "3.5 min"),
    Notebook("09_reading_a_whole_number.ipynb", "Reading a whole number",
             "Cut a picture of a written number into its digits (pieces of ink found by a "
             "flood fill, joined and split by simple rules) and read them left to right, "
             "and see where those rules fail.",
             "30 s"),
]


# -- links -------------------------------------------------------------------------------

def github_url() -> str:
    """The course's page on GitHub."""
    return f"https://github.com/{REPOSITORY}"


def colab_url(file: str) -> str:
    """The address that opens notebook ``file`` on Colab."""
    return f"https://colab.research.google.com/github/{REPOSITORY}/blob/{BRANCH}/notebooks/{file}"


def binder_url(file: str) -> str:
    """The address that starts the course on Binder with notebook ``file`` open."""
    return f"https://mybinder.org/v2/gh/{REPOSITORY}/{BRANCH}?urlpath=lab/tree/notebooks/{file}"


def course_map_markdown(folder: str = "") -> str:
    """The course map as a Markdown table: each notebook, what you learn, run time, links.

    A notebook that is not in ``notebooks/`` yet is listed as "coming soon", unlinked.
    ``folder`` goes before each notebook's file name in its link: "" from a notebook,
    "notebooks/" from the README.
    """
    rows = [
        "| notebook | what you learn | run time | open online |",
        "| --- | --- | --- | --- |",
    ]
    for entry in NOTEBOOKS:
        name = f"{entry.number} · {entry.title}"
        if entry.exists():
            online = f"[Colab]({colab_url(entry.file)}) · [Binder]({binder_url(entry.file)})"
            rows.append(f"| [{name}]({folder}{entry.file}) | {entry.learn} | {entry.run_time} "
                        f"| {online} |")
        else:
            rows.append(f"| {name} *(coming soon)* | {entry.learn} | {entry.run_time} | |")
    return "\n".join(rows)
