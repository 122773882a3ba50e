"""The checked exercises of the course: for each notebook, the exercises whose answer a
check in ``helpers/checks.py`` tests against an independent reference.

``tools/format_exercises.py`` puts them at the start of each notebook's "## Exercises"
section (replacing an exercise of the same title), after which come the notebook's own,
open-ended exercises. Each exercise here has:

* ``title`` and ``text``: the Markdown cell, "### Exercise N · title", then the task;
* ``stub``: the cell the learner fills in (it runs as it is: an empty answer);
* ``check``: the check cell, which calls a function of ``helpers.checks``;
* ``solution``: the solution's code (the tool folds it away and marks it for nbgrader).

``tests/test_exercises.py`` runs every stub, solution and a wrong answer through its check.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Exercise:
    title: str
    text: str
    stub: str
    check: str
    solution: str


#: The introduction of a notebook's Exercises section, where it differs from the usual one
#: (``INTRO`` in tools/format_exercises.py): notebook 00 explains how the exercises work.
INTROS: dict[str, str] = {
    "00_start_here.ipynb": """\
## Exercises

Every notebook of the course ends with exercises like these two. On your own, use them so:

1. Write your answer in the cell under the exercise (it starts with
   `# Exercise N: your code here`) and run it.
2. Run the check cell that follows. It runs your code on data of its own and compares the
   result with a reference computed another way, then says what is right, what is wrong
   and where to look, never the answer itself. "Not yet" only means that your cell is still
   empty; "Not right yet" says what differs. Change your answer and run both cells again.
3. The solution is the folded cell at the end of the exercise (in JupyterLab and Notebook 7,
   click the bar on its left or the three dots; on Colab, "Show code"). Open it once your
   check says "Right", to compare it with your way; or when you have tried for a while and
   are stuck: read it, fold it again, and write the answer yourself.

Exercises without a check cell are open questions: their solution shows one way to explore
them.""",
}

BANK: dict[str, list[Exercise]] = {
    "00_start_here.ipynb": [Exercise(
        title="One line of a data file",
        text="""\
Read the first line of `data/mnist_test_10.csv` (its path is `DATA_DIR / "mnist_test_10.csv"`)
as text, then its first number, which is the label of the first test digit, as a whole
number, and how many numbers the line has. (Hint: `path.read_text().splitlines()` and
`line.split(",")`.)""",
        stub="""\
first_line = ...  # the first line of the file, as text
label = ...  # its first number, as an int
count = ...  # how many numbers the line has""",
        check="""\
from helpers.checks import check_first_line

check_first_line(first_line, label, count)""",
        solution="""\
first_line = (DATA_DIR / "mnist_test_10.csv").read_text().splitlines()[0]
numbers = first_line.split(",")
label, count = int(numbers[0]), len(numbers)
print(f"label {label}, {count} numbers: the label and 28 x 28 = 784 pixels")""",
    )],
    "01_mnist_with_pandas.ipynb": [Exercise(
        title="Pixels into inputs",
        text="""\
Write `scale(pixels)`: it takes pixels from 0 (paper) to 255 (full ink), an array of any
shape, and returns the network's inputs, from 0.01 for paper to 1.0 for full ink, on a
straight line between the two, without changing the pixels it was given. The check runs
it on all 60,000 training images and compares the mean and spread of your inputs with the
known statistics of MNIST.""",
        stub="""\
def scale(pixels):
    \"\"\"Pixels 0..255 -> inputs 0.01..1.0, on a straight line.\"\"\"
    ...""",
        check="""\
from helpers.checks import check_scaling

check_scaling(scale)""",
        solution="""\
def scale(pixels):
    \"\"\"Pixels 0..255 -> inputs 0.01..1.0, on a straight line.\"\"\"
    return 0.01 + 0.99 * np.asarray(pixels, dtype=np.float32) / 255""",
    )],
    "02_network_by_hand.ipynb": [Exercise(
        title="Backpropagation for another loss",
        text="""\
Many networks with sigmoid outputs learn with the *cross-entropy* loss instead of the
squared error:
$$E = -\\sum_k \\big(t_k \\log o_k + (1 - t_k) \\log(1 - o_k)\\big).$$
Write `backward_cross_entropy`, the backward pass for this loss: the same four gradients
as `NeuralNetwork.backward` (summed over the samples), as a dict with the same keys.
Work out `delta_output` $= \\partial E / \\partial z$ at the outputs first: what happens to
the sigmoid's slope $o(1 - o)$? The check compares your gradients with central
differences of $E$, the course's numerical gradient.""",
        stub="""\
def backward_cross_entropy(network, inputs, hidden, outputs, targets):
    \"\"\"The gradients of the cross-entropy loss, summed over the samples.\"\"\"
    delta_output = ...
    delta_hidden = ...
    return {"w_input_hidden": ..., "b_hidden": ...,
            "w_hidden_output": ..., "b_output": ...}""",
        check="""\
from helpers.checks import check_cross_entropy_backward

check_cross_entropy_backward(backward_cross_entropy)""",
        solution="""\
def backward_cross_entropy(network, inputs, hidden, outputs, targets):
    \"\"\"The gradients of the cross-entropy loss, summed over the samples.\"\"\"
    delta_output = outputs - targets  # the sigmoid's slope o(1 - o) cancels
    delta_hidden = (delta_output @ network.w_hidden_output) * hidden * (1.0 - hidden)
    return {"w_input_hidden": delta_hidden.T @ inputs, "b_hidden": delta_hidden.sum(axis=0),
            "w_hidden_output": delta_output.T @ hidden, "b_output": delta_output.sum(axis=0)}""",
    )],
    "03_training_on_mnist.ipynb": [Exercise(
        title="Shuffled mini-batches",
        text="""\
Write `batches(count, batch_size, rng)`, the heart of an epoch: the indices `0` to
`count - 1` in a random order drawn from the generator `rng`, cut into batches of
`batch_size` (the last batch may be smaller), as a list of arrays. The check counts how
often each sample comes, and runs your function twice to see that every epoch shuffles
anew.""",
        stub="""\
def batches(count, batch_size, rng):
    \"\"\"Indices 0..count-1, shuffled by rng, in batches of batch_size (the last may be smaller).\"\"\"
    ...""",
        check="""\
from helpers.checks import check_batches

check_batches(batches)""",
        solution="""\
def batches(count, batch_size, rng):
    \"\"\"Indices 0..count-1, shuffled by rng, in batches of batch_size (the last may be smaller).\"\"\"
    order = rng.permutation(count)
    return [order[start:start + batch_size] for start in range(0, count, batch_size)]""",
    )],
    "04_evaluating_with_confusion_matrices.ipynb": [Exercise(
        title="A confusion matrix by hand",
        text="""\
Write `confusion_matrix_by_hand(labels, predictions)` with a plain loop over the images:
a 10 x 10 array whose row $i$, column $j$ counts the images of digit $i$ that the network
read as $j$. The check compares it with a matrix counted another way, on labels where one
digit never occurs.""",
        stub="""\
def confusion_matrix_by_hand(labels, predictions):
    \"\"\"Row i, column j: how many images of digit i were read as j (10 x 10).\"\"\"
    ...""",
        check="""\
from helpers.checks import check_confusion_matrix

check_confusion_matrix(confusion_matrix_by_hand)""",
        solution="""\
def confusion_matrix_by_hand(labels, predictions):
    \"\"\"Row i, column j: how many images of digit i were read as j (10 x 10).\"\"\"
    matrix = np.zeros((10, 10), dtype=int)
    for label, prediction in zip(labels, predictions):
        matrix[label, prediction] += 1
    return matrix""",
    )],
    "05_your_own_digits.ipynb": [Exercise(
        title="Centring by the centre of mass",
        text="""\
Write the step of the preparation that MNIST's makers took last: `centre_by_mass(box)`
takes the 20 x 20 box with the digit (ink 0 to 1, paper 0) and returns a 28 x 28 image
with the box placed so that the centre of mass of the ink lands on pixel (14, 14), moving
it by whole pixels. (Hint: `scipy.ndimage.center_of_mass(box)` gives the (row, column) of
the centre of mass.) The check measures where the centre of mass of your images lies.""",
        stub="""\
def centre_by_mass(box):
    \"\"\"The 20 x 20 box in a 28 x 28 image, its centre of mass at pixel (14, 14).\"\"\"
    ...""",
        check="""\
from helpers.checks import check_centring

check_centring(centre_by_mass)""",
        solution="""\
from scipy import ndimage


def centre_by_mass(box):
    \"\"\"The 20 x 20 box in a 28 x 28 image, its centre of mass at pixel (14, 14).\"\"\"
    row, column = ndimage.center_of_mass(box)
    top = min(max(round(14 - row), 0), 8)  # keep the whole box inside 28 x 28
    left = min(max(round(14 - column), 0), 8)
    image = np.zeros((28, 28))
    image[top:top + 20, left:left + 20] = box
    return image""",
    )],
    "06_inside_the_network.ipynb": [Exercise(
        title="Undoing the sigmoid",
        text="""\
The backquery's first step undoes the sigmoid. Write `logit_by_hand(y)`, the inverse of
the sigmoid: the $z$ for which $\\sigma(z) = 1 / (1 + e^{-z}) = y$, for every value of an
array `y` between 0 and 1. (Solve the sigmoid's equation for $z$.) The check feeds your
results through the sigmoid and compares them with the $y$ it gave.""",
        stub="""\
def logit_by_hand(y):
    \"\"\"The z for which sigmoid(z) = y, elementwise, for 0 < y < 1.\"\"\"
    ...""",
        check="""\
from helpers.checks import check_logit

check_logit(logit_by_hand)""",
        solution="""\
def logit_by_hand(y):
    \"\"\"The z for which sigmoid(z) = y, elementwise, for 0 < y < 1.\"\"\"
    return np.log(y / (1 - y))""",
    )],
    "07_better_training.ipynb": [Exercise(
        title="A tanh layer",
        text="""\
$\\tanh(z)$ is an S-shaped curve like the sigmoid, but from -1 to 1; its slope is
$1 - \\tanh^2(z)$. Write a layer `Tanh(Layer)` with `forward` and `backward`, as `Sigmoid`
is written. The check compares `forward` with `np.tanh`, and `backward` with the numerical
gradient: for random inputs $X$ and a random $G$, `backward(G)` must be the gradient of
`np.sum(G * layer.forward(X))`.""",
        stub="""\
from helpers.layers import Layer


class Tanh(Layer):
    \"\"\"outputs = tanh(inputs).\"\"\"

    def forward(self, inputs):
        ...  # the outputs (and keep what backward needs)

    def backward(self, gradient):
        ...  # dLoss/d(inputs), from dLoss/d(outputs)""",
        check="""\
from helpers.checks import check_tanh_layer

check_tanh_layer(Tanh)""",
        solution="""\
from helpers.layers import Layer


class Tanh(Layer):
    \"\"\"outputs = tanh(inputs); its slope is 1 - outputs**2.\"\"\"

    def forward(self, inputs):
        self._outputs = np.tanh(inputs)
        return self._outputs

    def backward(self, gradient):
        return gradient * (1.0 - self._outputs**2)""",
    )],
    "08_convolutional_network_by_hand.ipynb": [Exercise(
        title="Average pooling",
        text="""\
Some networks pool by averaging instead of taking the largest value. Write a layer
`AveragePool2D(Layer)` whose `forward` turns each 2 x 2 block of every feature map into
its mean (inputs of shape (n, channels, height, width), with even height and width), and
whose `backward` sends each output's gradient back to the four inputs of its block. The
check compares `forward` with block means computed another way, and `backward` with the
numerical gradient.""",
        stub="""\
from helpers.layers import Layer


class AveragePool2D(Layer):
    \"\"\"The mean of each 2 x 2 block of every feature map.\"\"\"

    def forward(self, inputs):
        ...

    def backward(self, gradient):
        ...""",
        check="""\
from helpers.checks import check_average_pooling

check_average_pooling(AveragePool2D)""",
        solution="""\
from helpers.layers import Layer


class AveragePool2D(Layer):
    \"\"\"The mean of each 2 x 2 block of every feature map.\"\"\"

    def forward(self, inputs):
        n, channels, height, width = inputs.shape
        return inputs.reshape(n, channels, height // 2, 2, width // 2, 2).mean(axis=(3, 5))

    def backward(self, gradient):
        # each output is the mean of 4 inputs: each of them gets a quarter of its gradient
        return np.repeat(np.repeat(gradient, 2, axis=2), 2, axis=3) / 4""",
    )],
}

# -- notebook 09 (its own block: the checks are check_pieces_4 and check_piece_boxes) ------

BANK["09_reading_a_whole_number.ipynb"] = [
    Exercise(
        title="Pieces whose pixels share a side",
        text="""\
The flood fill of this notebook counts pixels that touch at a corner as touching. Write
`label_pieces_4(cores)`, which returns the labels and the count as `label_pieces` does,
but where two ink pixels touch only when they share a side: the 4 neighbours above, below,
left and right. The check compares your pieces with those of `scipy.ndimage.label` with
its default structure (4 neighbours) on made-up ink: blocks and a ring, a slanted line one
pixel wide, random specks. Your numbering of the pieces may differ; the pieces may not.""",
        stub="""\
def label_pieces_4(cores):
    \"\"\"Like label_pieces, but two pixels touch only when they share a side (4 neighbours).\"\"\"
    ...""",
        check="""\
from helpers.checks import check_pieces_4

check_pieces_4(label_pieces_4)""",
        solution="""\
def label_pieces_4(cores):
    \"\"\"Like label_pieces, but two pixels touch only when they share a side (4 neighbours).\"\"\"
    labels = np.zeros(cores.shape, dtype=np.int32)
    count = 0
    for start in zip(*np.nonzero(cores)):
        if labels[start]:
            continue
        count += 1
        labels[start] = count
        to_visit = [start]
        while to_visit:
            row, column = to_visit.pop()
            for r, c in [(row - 1, column), (row + 1, column), (row, column - 1), (row, column + 1)]:
                if 0 <= r < cores.shape[0] and 0 <= c < cores.shape[1] and cores[r, c] \\
                        and not labels[r, c]:
                    labels[r, c] = count
                    to_visit.append((r, c))
    return labels, count""",
    ),
    Exercise(
        title="The box of each piece",
        text="""\
Write `piece_boxes(labels)`: for a label image (0 for paper, pieces 1, 2, ...) the box of
each piece, in the order of the labels, as `(left, top, right, bottom)`: the first and last
column, and the first and last row, that hold a pixel of the piece (right and bottom
included, as the boxes of `read_number`). Use NumPy, not `ndimage.find_objects`: the check
compares your boxes with the ones it gives. (Hint: `np.nonzero(labels == piece)` gives the
rows and the columns of a piece's pixels.)""",
        stub="""\
def piece_boxes(labels):
    \"\"\"(left, top, right, bottom) of each piece 1, 2, ... of ``labels``, right and bottom included.\"\"\"
    ...""",
        check="""\
from helpers.checks import check_piece_boxes

check_piece_boxes(piece_boxes)""",
        solution="""\
def piece_boxes(labels):
    \"\"\"(left, top, right, bottom) of each piece 1, 2, ... of ``labels``, right and bottom included.\"\"\"
    boxes = []
    for piece in range(1, labels.max() + 1):
        rows, columns = np.nonzero(labels == piece)
        boxes.append((columns.min(), rows.min(), columns.max(), rows.max()))
    return boxes""",
    ),
    Exercise(
        title="Overlapping columns",
        text="""\
`join_pieces` joins two pieces when their columns overlap by at least `JOIN_OVERLAP` of
the narrower one's width. Write `column_overlap(box_a, box_b)`: for two boxes
`(left, top, right, bottom)`, right included, the share of the narrower box's columns that
the other box holds too: 1.0 when one lies wholly above the other, 0.0 when they stand side
by side. (A box from column 3 to column 5 is 3 columns wide.) The check counts the shared
columns one by one, on boxes side by side, one above the other and partly overlapping.""",
        stub="""\
def column_overlap(box_a, box_b):
    \"\"\"The share (0 to 1) of the narrower box's columns that the other box holds too.\"\"\"
    ...""",
        check="""\
from helpers.checks import check_column_overlap

check_column_overlap(column_overlap)""",
        solution="""\
def column_overlap(box_a, box_b):
    \"\"\"The share (0 to 1) of the narrower box's columns that the other box holds too.\"\"\"
    left_a, _, right_a, _ = box_a
    left_b, _, right_b, _ = box_b
    shared = min(right_a, right_b) - max(left_a, left_b) + 1  # columns in both, right included
    narrower = min(right_a - left_a, right_b - left_b) + 1
    return max(shared, 0) / narrower""",
    ),
]
