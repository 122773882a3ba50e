"""The exercises of the course: for each notebook, in order, every exercise of its
"## Exercises" section, each with a check in ``helpers/checks.py`` that tests the
learner's answer against a reference computed another way.

``tools/format_exercises.py`` writes them into each notebook's "## Exercises" section
(replacing an exercise of the same title); an exercise a notebook has and the bank has
not would stay after them, and ``tests/test_exercises.py`` fails until it is here, with a
check. In most notebooks the first exercise has the learner write a core piece, and the
others are experiments on the notebook's own data and networks, whose results the check
recomputes another way. Each exercise here has:

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

Some exercises also ask a question in words ("why do you think ...?"): the check tests your
numbers, the answer in words is yours, and the solution's comments give one.""",
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
    ), Exercise(
        title="How well does MNIST compress?",
        text="""\
The `.gz` files are compressed. Read `mnist_test.csv.gz` unzipped with the `gzip` module
(`with gzip.open(path) as file: text = file.read()`) and compare its length with the size
of the file on disk (`path.stat().st_size`): `ratio` is how many times smaller compression
makes it. Why do you think it works so well on MNIST?""",
        stub="""\
ratio = ...  # the length unzipped divided by the size on disk""",
        check="""\
from helpers.checks import check_compression

check_compression(ratio)""",
        solution="""\
import gzip

path = DATA_DIR / "mnist_test.csv.gz"
with gzip.open(path) as file:
    unzipped = len(file.read())
zipped = path.stat().st_size
ratio = unzipped / zipped
print(f"{unzipped:,} bytes unzipped, {zipped:,} zipped: {ratio:.1f} times smaller")
# Most of every line is "0,0,0,...": the paper around the digit. Long repeats compress well.""",
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
    ), Exercise(
        title="Which digit takes the most ink?",
        text="""\
For each digit, compute the mean pixel value over all its training images: how much ink
the digit takes on average. Which digit takes the most ink, and which the least? Does that
match the average digits drawn above? (Hint: `means` has one row per digit.)""",
        stub="""\
ink = ...  # the mean pixel value of each digit 0 to 9 (10 numbers, 0 to 255)
least_ink = ...  # the digit that takes the least ink
most_ink = ...  # the digit that takes the most ink""",
        check="""\
from helpers.checks import check_ink

check_ink(ink, least_ink, most_ink)""",
        solution="""\
ink = means.mean(axis=1)  # one number per digit: the mean over its 784 pixels
least_ink, most_ink = ink.idxmin(), ink.idxmax()
print(ink.sort_values().round(1).to_string())
print(f"least ink: {least_ink}, most ink: {most_ink}")
# 1 is a single stroke; 0 is a long closed loop.""",
    ), Exercise(
        title="Pixels that are never ink",
        text="""\
Some pixels are 0 in every one of the 60,000 training images. Which, and how many? Draw
them as a 28 × 28 image. What does this tell you about where the digits sit in their
images? (Hint: `pixels.max(axis=0)` is the largest value of each pixel over all images.)""",
        stub="""\
never_ink = ...  # for each of the 784 pixels: True if it is 0 in every training image""",
        check="""\
from helpers.checks import check_never_ink

check_never_ink(never_ink)""",
        solution="""\
never_ink = pixels.max(axis=0) == 0
print(f"{never_ink.sum()} of the 784 pixels are 0 in every training image")
fig, ax = plt.subplots(figsize=(4.5, 4.5))
ax.imshow(never_ink.reshape(28, 28), cmap="gray_r")
ax.set(title="Pixels that are never ink (black)", xlabel="pixel column", ylabel="pixel row")
plt.show()
# They lie along the borders, mostly in the corners: MNIST centres each digit in its image.""",
    ), Exercise(
        title="The most unusual sevens",
        text="""\
Find the five training images of 7 that are farthest from the average 7, and draw them.
The distance between two images $a$ and $b$ is $\\sqrt{\\sum_i (a_i - b_i)^2}$ over their 784
pixels (`np.linalg.norm` computes it). Would you have read them as sevens?""",
        stub="""\
farthest = ...  # the rows of `train` (its index) of the 5 sevens farthest from the average 7""",
        check="""\
from helpers.checks import check_unusual_sevens

check_unusual_sevens(farthest)""",
        solution="""\
sevens = train[train["label"] == 7].drop(columns="label")
distance = np.linalg.norm(sevens.to_numpy(dtype=float) - means.loc[7].to_numpy(), axis=1)
farthest = sevens.index[np.argsort(distance)[::-1][:5]]
fig, axes = plt.subplots(1, 5, figsize=(10, 2.6), layout="constrained")
for ax, i in zip(axes, farthest):
    ax.imshow(sevens.loc[i].to_numpy().reshape(28, 28), cmap="gray_r")
    ax.set_title(f"row {i}")
    ax.axis("off")
fig.suptitle("The five training sevens farthest from the average 7")
plt.show()""",
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
    ), Exercise(
        title="One hidden node with a loop",
        text="""\
Compute the output of hidden node 0 for the first training digit, `inputs[0]`, with a
plain Python loop over its 784 inputs (no `@`), using `net.w_input_hidden[0]` and
`net.b_hidden[0]`, and compare it with `net.forward(inputs[0])[0][0]`.""",
        stub="""\
by_hand = ...  # the output of hidden node 0 for inputs[0], summed in a loop""",
        check="""\
from helpers.checks import check_hidden_node

check_hidden_node(by_hand, net, inputs[0])""",
        solution="""\
z = net.b_hidden[0]
for i in range(784):
    z += net.w_input_hidden[0, i] * inputs[0][i]
by_hand = sigmoid(z)
print(f"by hand: {by_hand:.6f}, forward: {net.forward(inputs[0])[0][0]:.6f}")""",
    ), Exercise(
        title="A wrong sign",
        text="""\
Make a network whose `backward` computes `delta_output` with `(targets - outputs)` instead
of `(outputs - targets)`: a 784-30-10 network in float64 with seed 1, like `small`. What
relative error does the numerical check report for `b_output` (compare its gradients on
`batch_inputs` with `numerical`)? Train it for 5 steps on digit 0 (`inputs[0]`,
`labels[0]`) and keep the loss that each step returns: what happens to the loss, and why?""",
        stub="""\
uphill_error = ...  # the relative error of its b_output gradient
uphill_losses = ...  # the losses that 5 training steps on digit 0 return""",
        check="""\
from helpers.checks import check_wrong_sign

check_wrong_sign(uphill_error, uphill_losses)""",
        solution="""\
class UphillNetwork(NeuralNetwork):
    def backward(self, inputs, hidden, outputs, targets):
        delta_output = (targets - outputs) * outputs * (1.0 - outputs)  # the wrong sign
        delta_hidden = (delta_output @ self.w_hidden_output) * hidden * (1.0 - hidden)
        return {"w_input_hidden": np.dot(delta_hidden.T, inputs), "b_hidden": delta_hidden.sum(axis=0),
                "w_hidden_output": np.dot(delta_output.T, hidden), "b_output": delta_output.sum(axis=0)}


uphill = UphillNetwork(784, 30, 10, seed=1, dtype=np.float64)
uphill_gradients = uphill.gradients(batch_inputs, batch_labels)
uphill_error = relative_error(uphill_gradients["b_output"], numerical["b_output"])
uphill_losses = [uphill.train(inputs[0], labels[0]) for _ in range(5)]
print(f"relative error of b_output: {uphill_error:.2f}")
print("loss of digit 0 over 5 steps:", [round(loss, 3) for loss in uphill_losses])
# The gradient points uphill, so each step makes the loss larger: the relative error is 1
# (the gradients are exact opposites) and training climbs instead of descending.""",
    ), Exercise(
        title="The learning rate on 100 digits",
        text="""\
Train fresh networks (`NeuralNetwork(784, 200, 10, learning_rate=rate, seed=42)`) one
sample at a time on the 100 training digits for 10 epochs with learning rates 0.01, 0.1,
0.3 and 1.0. After each epoch, record the mean loss over the 100 digits
(`net.loss(inputs, labels)`), and plot the four curves in one figure. Which learning rate
learns fastest here?""",
        stub="""\
curves = ...  # {learning rate: [the mean loss after each of the 10 epochs]}
fastest = ...  # the learning rate with the lowest loss after 10 epochs""",
        check="""\
from helpers.checks import check_learning_rate_curves

check_learning_rate_curves(curves, fastest)""",
        solution="""\
curves = {}
for rate in [0.01, 0.1, 0.3, 1.0]:
    trial = NeuralNetwork(784, 200, 10, learning_rate=rate, seed=42)
    curves[rate] = []
    for epoch in range(10):
        for x, label in zip(inputs, labels):
            trial.train(x, label)
        curves[rate].append(trial.loss(inputs, labels))
fastest = min(curves, key=lambda rate: curves[rate][-1])
fig, ax = plt.subplots(figsize=(7, 4))
for rate, curve in curves.items():
    ax.plot(range(1, 11), curve, marker="o", label=f"learning rate {rate}")
ax.set(title="Mean loss on the 100 training digits", xlabel="epoch", ylabel="mean loss E",
       yscale="log")
ax.legend()
plt.show()
print(f"lowest loss after 10 epochs: learning rate {fastest}")
# 0.01 barely moves in 10 epochs; the larger rates fall much faster on these 100 digits.""",
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
    ), Exercise(
        title="Bigger batches",
        text="""\
Train fresh networks (seed 42) for one epoch on `fit_inputs` with batches of 64, at
learning rates 0.5, 1.0, 2.0 and 4.0 (catch `TrainingDiverged`). Compare their validation
accuracies and times with those of batches of 16 above. Can a larger learning rate make up
for the fewer steps?""",
        stub="""\
accuracy_64 = ...  # {learning rate: validation accuracy after one epoch, None if it diverged}""",
        check="""\
from helpers.checks import check_bigger_batches

check_bigger_batches(accuracy_64, fit_inputs, fit_labels, val_inputs, val_labels)""",
        solution="""\
accuracy_64 = {}
for rate in [0.5, 1.0, 2.0, 4.0]:
    net = NeuralNetwork(784, 200, 10, learning_rate=rate, seed=42)
    try:
        history = fit(net, fit_inputs, fit_labels, epochs=1, batch_size=64,
                      validation=(val_inputs, val_labels), progress=False)
    except TrainingDiverged:
        accuracy_64[rate] = None
        print(f"learning rate {rate}: diverged")
        continue
    accuracy_64[rate] = history["validation_accuracy"][-1]
    print(f"learning rate {rate}: validation accuracy {accuracy_64[rate]:.4f} "
          f"in {history['seconds'][-1]:.2f} s")
# Each epoch is faster, but it has four times fewer steps, and a larger learning rate
# cannot make up for them: the cliff does not move up with the batch size, it comes
# earlier. Learning rate 2.0, fine with batches of 16, reads less than half of the
# validation digits with batches of 64, and 4.0 stops with TrainingDiverged. After one
# epoch, batches of 64 are less accurate than batches of 16 at every learning rate.""",
    ), Exercise(
        title="How much does the seed matter?",
        text="""\
The seed chooses the first weights and the order of the batches. Train four networks
with seeds 0 to 3 (use the seed both for `NeuralNetwork` and for `fit`), two epochs each on
the first 10,000 digits of `fit_inputs`, learning rate 1.0, batches of 16, and compare
their validation accuracies. How large is the spread, compared with the differences
between the settings of the experiments above?""",
        stub="""\
seed_accuracy = ...  # the validation accuracies of the seeds 0, 1, 2 and 3
spread = ...  # the largest of them minus the smallest""",
        check="""\
from helpers.checks import check_seed_spread

check_seed_spread(seed_accuracy, spread, fit_inputs, fit_labels, val_inputs, val_labels)""",
        solution="""\
seed_accuracy = []
for seed in range(4):
    net = NeuralNetwork(784, 200, 10, learning_rate=1.0, seed=seed)
    history = fit(net, fit_inputs[:10_000], fit_labels[:10_000], epochs=2, batch_size=16,
                  seed=seed, validation=(val_inputs, val_labels), progress=False)
    seed_accuracy.append(history["validation_accuracy"][-1])
spread = max(seed_accuracy) - min(seed_accuracy)
print("validation accuracies:", [f"{value:.4f}" for value in seed_accuracy])
print(f"spread: {spread:.4f}")
# About one and a half percentage points on these 10,000 digits (0.0164 on the machine
# the course is tested on): differences between settings smaller than that are noise.""",
    ), Exercise(
        title="Where your network goes wrong",
        text="""\
Load your saved network from `my_networks/`, find all the test digits that it reads wrong,
and draw 12 of them, each with its label and the network's answer. Would you have read
them right?""",
        stub="""\
mine = load_network(my_networks / "mnist_784_200_10.npz")
mistakes = ...  # the indices of all test digits that it reads wrong""",
        check="""\
from helpers.checks import check_mistakes

check_mistakes(mistakes, mine, test_inputs, test_labels)""",
        solution="""\
mine = load_network(my_networks / "mnist_784_200_10.npz")
answers = mine.predict(test_inputs)
mistakes = np.flatnonzero(answers != test_labels)
fig, axes = plt.subplots(2, 6, figsize=(11, 4.4), layout="constrained")
for ax, i in zip(axes.flat, mistakes[:12]):
    ax.imshow(test_inputs[i].reshape(28, 28), cmap="gray_r")
    ax.set_title(f"is {test_labels[i]}, read {answers[i]}")
    ax.axis("off")
fig.suptitle(f"12 of the {len(mistakes)} test digits your network reads wrong")
plt.show()""",
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
    ), Exercise(
        title="The most confident mistakes",
        text="""\
Find the 12 mistakes the network made with the highest confidence and draw them with
`digit_gallery`, each titled with its label, the network's answer and the confidence.
Would you have read them as their labels say? (Hint: `wrong` holds the indices of the
mistakes; `np.argsort(confidences[wrong])` sorts them, least confident first.)""",
        stub="""\
most_sure = ...  # the indices of the 12 mistakes of highest confidence, the surest first""",
        check="""\
from helpers.checks import check_confident_mistakes

check_confident_mistakes(most_sure, test_labels, predictions, confidences)""",
        solution="""\
most_sure = wrong[np.argsort(confidences[wrong])[::-1][:12]]
titles = [f"true {test_labels[i]}, read {predictions[i]}\\nconfidence {confidences[i]:.2f}"
          for i in most_sure]
digit_gallery(test_inputs[most_sure], titles, columns=6, image_size=1.45,
              title="The 12 mistakes the network was surest of")
plt.show()
# Several look more like the network's answer than like their label: a few MNIST labels
# are doubtful, and others are written in an unusual way.""",
    ), Exercise(
        title="Confusions both ways",
        text="""\
`most_confused_pairs` counts "4 read as 9" and "9 read as 4" apart. Which five pairs of
digits does the network mix up most often in either direction? (Hint: $C + C^T$ adds each
cell to its mirror image; keep the cells above the diagonal with `np.triu_indices(10, k=1)`.)""",
        stub="""\
top_pairs = ...  # the 5 pairs (a, b), a < b, mixed up most often either way, the most first""",
        check="""\
from helpers.checks import check_pairs_both_ways

check_pairs_both_ways(top_pairs, test_labels, predictions)""",
        solution="""\
both_ways = matrix + matrix.T
first, second = np.triu_indices(10, k=1)  # each pair once, first digit < second
mixed = pd.DataFrame({"a": first, "b": second, "mixed up": both_ways[first, second]})
mixed = mixed.sort_values("mixed up", ascending=False, kind="stable").head(5)
top_pairs = list(zip(mixed["a"], mixed["b"]))
mixed.reset_index(drop=True)""",
    ), Exercise(
        title="Answer only when sure",
        text="""\
A program that reads postcodes could answer only when the network's confidence is at least
some threshold, and hand the other images to a person. For thresholds from 0.3 to 0.95,
compute the share of test images it would answer, and its accuracy on those (both as
fractions from 0 to 1). Plot both against the threshold, side by side. What does a
threshold of 0.9 cost, and what does it buy?""",
        stub="""\
thresholds = np.linspace(0.3, 0.95, 27)
answered = ...  # for each threshold: the share of test images with confidence >= it
accuracy_answered = ...  # for each threshold: the accuracy on those images""",
        check="""\
from helpers.checks import check_answer_when_sure

check_answer_when_sure(thresholds, answered, accuracy_answered, confidences, correct)""",
        solution="""\
thresholds = np.linspace(0.3, 0.95, 27)
answered = np.array([np.mean(confidences >= t) for t in thresholds])
accuracy_answered = np.array([correct[confidences >= t].mean() for t in thresholds])
fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4), layout="constrained")
left.plot(thresholds, 100 * answered, marker=".")
left.set(title="Images the program answers", xlabel="confidence threshold",
         ylabel="% of the test images")
right.plot(thresholds, 100 * accuracy_answered, marker=".", color="tab:green")
right.set(title="Accuracy on the answered images", xlabel="confidence threshold",
          ylabel="accuracy (%)")
plt.show()
at_09 = confidences >= 0.9
print(f"threshold 0.9: answers {at_09.mean():.1%} of the images, "
      f"{correct[at_09].mean():.2%} of them right (all images: {correct.mean():.2%})")""",
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
    ), Exercise(
        title="Which step matters most?",
        text="""\
Leave out one step at a time and measure the accuracy on the 40 drawings:
(a) crop, then stretch the crop to 28 × 28 without keeping its proportions and without
centring; (b) crop and fit into 20 × 20, then place the 20 × 20 box in the middle of the
28 × 28 image instead of centring by centre of mass. Compare with the full preparation.
(Hint: `prepare_steps(path)["cropped"]` and `["fitted_20x20"]`, and
`Image.fromarray(image).resize((28, 28), Image.Resampling.BOX)`.)""",
        stub="""\
stretched_accuracy = ...  # (a) the share of the 40 drawings read right
boxed_accuracy = ...  # (b) the share of the 40 drawings read right""",
        check="""\
from helpers.checks import check_left_out_steps

check_left_out_steps(stretched_accuracy, boxed_accuracy, network, paths)""",
        solution="""\
def stretched(path):
    cropped = prepare_steps(path)["cropped"]
    small = np.asarray(Image.fromarray(cropped).resize((28, 28), Image.Resampling.BOX))
    return 0.01 + 0.99 * np.clip(small, 0, 1).ravel() / small.max()


def boxed(path):
    image = np.zeros((28, 28))
    image[4:24, 4:24] = prepare_steps(path)["fitted_20x20"]
    return 0.01 + 0.99 * image.ravel()


def accuracy_with(how):
    return np.mean(network.predict(np.stack([how(path) for path in paths])) == truth)


stretched_accuracy, boxed_accuracy = accuracy_with(stretched), accuracy_with(boxed)
for name, value in [("(a) stretched to 28 x 28", stretched_accuracy),
                    ("(b) 20 x 20 box in the middle", boxed_accuracy),
                    ("full preparation", accuracy_with(prepare))]:
    print(f"{name:30} {value:.0%} right")
# Stretching to 28 x 28 distorts the shapes (a 1 becomes a thick block) and is worst.
# Centring the box instead of the centre of mass costs all four 7s (and a 6): a 7 has most
# of its ink at the top, so its box-centred image sits lower than the sevens of MNIST.""",
    ), Exercise(
        title="Tilted digits",
        text="""\
Preparation undoes differences in position and size. Does it undo a tilt? Rotate every
sample drawing by -60 to 60 degrees, in steps of 20, prepare it, and plot the accuracy
against the angle. (Hint: `Image.fromarray(load_image(path)).rotate(angle, expand=True)`
turns the ink anticlockwise; `expand=True` keeps the corners.)""",
        stub="""\
angles = np.arange(-60, 61, 20)
tilted_accuracy = ...  # for each angle: the share of the 40 drawings read right""",
        check="""\
from helpers.checks import check_tilted

check_tilted(angles, tilted_accuracy, network, paths)""",
        solution="""\
angles = np.arange(-60, 61, 20)
inks = [Image.fromarray(load_image(path)) for path in paths]
tilted_accuracy = []
for angle in angles:
    tilted = [ink.rotate(angle, resample=Image.Resampling.BILINEAR, expand=True) for ink in inks]
    read = network.predict(np.stack([prepare(np.asarray(image)) for image in tilted]))
    tilted_accuracy.append(np.mean(read == truth))
fig, ax = plt.subplots(figsize=(8, 3.6))
ax.plot(angles, tilted_accuracy, "o-")
ax.set(title="Accuracy on the 40 drawings, tilted and then prepared",
       xlabel="rotation (degrees, positive = anticlockwise)", ylabel="accuracy", ylim=(0, 1.02))
plt.show()
# A tilt of 20 degrees either way is mostly fine (MNIST digits lean, too); beyond that the
# accuracy falls fast. No step of the preparation turns a digit upright: MNIST did not.""",
    ), Exercise(
        title="How much does a shift cost?",
        text="""\
Take the first 200 MNIST test digits and shift them 0 to 6 pixels to the right (fill with
paper, 0.01, on the left). Measure the network's accuracy on the shifted digits as they
are, and after `prepare` (give it each shifted image minus 0.01, so that paper is 0). Plot
both against the shift. What does this say about the network, and about the naive resize?""",
        stub="""\
as_is = ...  # for each shift 0 to 6: the accuracy on the shifted digits as they are
prepared_back = ...  # for each shift 0 to 6: the accuracy after prepare""",
        check="""\
from helpers.checks import check_shift_cost

check_shift_cost(as_is, prepared_back, network, test_inputs, test_labels)""",
        solution="""\
digits, labels = test_inputs[:200].reshape(-1, 28, 28), test_labels[:200]
shifts = range(7)
as_is, prepared_back = [], []
for shift in shifts:
    shifted = np.full_like(digits, 0.01)
    shifted[:, :, shift:] = digits[:, :, :28 - shift]
    as_is.append(np.mean(network.predict(shifted.reshape(-1, 784)) == labels))
    again = np.stack([prepare(image - 0.01) for image in shifted])
    prepared_back.append(np.mean(network.predict(again) == labels))
fig, ax = plt.subplots(figsize=(8, 3.6))
ax.plot(shifts, as_is, "o-", label="shifted, as they are")
ax.plot(shifts, prepared_back, "s-", label="shifted, then prepared")
ax.set(title="Accuracy on 200 MNIST test digits shifted to the right",
       xlabel="shift (pixels)", ylabel="accuracy", ylim=(0, 1.02))
ax.legend(loc="lower left")
plt.show()
# A shift of a few pixels ruins the network: each weight belongs to one pixel position,
# so it has no idea that a shifted 3 is still a 3. Preparation undoes the shift: prepared,
# the digits read the same at every shift (a little worse than MNIST's own images, which
# preparing again changes a little).""",
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
    ), Exercise(
        title="What does an untrained network imagine?",
        text="""\
Make a network that has never learned, `NeuralNetwork(seed=1)`, backquery its ten digits and
draw them. Do they look like digits? Then feed them forwards: what does it read in them, and
how sure is it (its largest output)? What does that tell you about "the network reads its
own backquery" as evidence?""",
        stub="""\
untrained = NeuralNetwork(seed=1)
untrained_imagined = ...  # its backquery of each digit 0 to 9 (10 images of 784 values)
untrained_read = ...  # the digit it reads in each of them""",
        check="""\
from helpers.checks import check_untrained_backquery

check_untrained_backquery(untrained_imagined, untrained_read)""",
        solution="""\
untrained = NeuralNetwork(seed=1)
untrained_imagined = np.array([backquery(untrained, digit) for digit in range(10)])
untrained_outputs = untrained.query(untrained_imagined)
untrained_read = untrained_outputs.argmax(axis=1)
titles = [f"backquery of {digit}\\nread {outputs.argmax()} ({outputs.max():.2f})"
          for digit, outputs in enumerate(untrained_outputs)]
digit_gallery(untrained_imagined, titles, title="Backqueries of an untrained network")
plt.show()
right = (untrained_read == np.arange(10)).sum()
print(f"read right: {right} of 10, largest output {untrained_outputs.max():.2f}")
# Noise, with no trace of a digit. Yet the untrained network "reads" 4 of the 10 right:
# a backquery is built from the weights into each output, so it always pushes that
# output up a little. But it is unsure of everything (outputs around 0.6), and it reads
# a 2 in most of them. Reading back alone proves little; the digit shapes in the trained
# network's backqueries are what it learned.""",
    ), Exercise(
        title="A 3 or an 8?",
        text="""\
`backquery` also takes ten target values instead of a digit. Ask for 0.99 at both 3 and 8
(0.01 elsewhere): what does the network imagine, and what does it read in that image?""",
        stub="""\
targets = np.full(10, 0.01)
# set the targets of 3 and 8 to 0.99, then:
three_or_eight = ...  # the backquery of these targets (784 values)
read_as = ...  # the digit the network reads in it""",
        check="""\
from helpers.checks import check_three_or_eight

check_three_or_eight(targets, three_or_eight, read_as, network)""",
        solution="""\
targets = np.full(10, 0.01)
targets[[3, 8]] = 0.99
steps = backquery_steps(network, targets)
three_or_eight = steps["inputs"]
read_as = network.query(three_or_eight).argmax()
versions = {"grey": three_or_eight,
            "ink only": rescale(np.clip(steps["input_signal"], 0, None))}
fig, axes = plt.subplots(1, 2, figsize=(9, 4), layout="constrained")
for ax, (kind, image) in zip(axes, versions.items()):
    answer = network.query(image)
    drawn = ax.imshow(image.reshape(28, 28), cmap="gray_r", vmin=0, vmax=1)
    ax.set(title=f"'3 or 8', {kind}: outputs 3: {answer[3]:.2f}, 8: {answer[8]:.2f}",
           xlabel="pixel column", ylabel="pixel row")
fig.colorbar(drawn, ax=axes, label="inputs (0.01 paper to 0.99 ink)")
fig.suptitle("Backquery of 0.99 for both 3 and 8")
plt.show()
print(f"the network reads a {read_as} in the grey image")
# The grey image is torn between the two (3: 0.61, 8: 0.74), much as we asked. With paper
# it is a clear 3 (1.00) and no 8 at all.""",
    ), Exercise(
        title="Silence the units that like ones",
        text="""\
The units that prefer 1 are many (51). How much does the network need them? Load a second
copy of the network, `silenced = load_network(DEFAULT_MODEL)`, and cut the 10 most
selective units that prefer 1 off from the outputs: set their columns of
`silenced.w_hidden_output` to 0. Then compare the accuracy on the test images of each
digit, before and after. Try 3 units instead of 10 as well.""",
        stub="""\
silenced = load_network(DEFAULT_MODEL)
ones_units = ...  # the 10 most selective units that prefer 1
after = ...  # with them silenced: the accuracy on the test images of each digit 0 to 9""",
        check="""\
from helpers.checks import check_silenced

check_silenced(ones_units, after, network, test_inputs, test_labels)""",
        solution="""\
def accuracy_by_digit(net):
    predictions = net.predict(test_inputs)
    return np.array([(predictions[test_labels == d] == d).mean() for d in range(10)])


ones_units = by_selectivity[preferred[by_selectivity] == 1][:10]
before = accuracy_by_digit(network)
for how_many in (3, 10):
    silenced = load_network(DEFAULT_MODEL)
    silenced.w_hidden_output[:, ones_units[:how_many]] = 0
    after = accuracy_by_digit(silenced)
    print(f"{how_many:2} units silenced: ones {before[1]:.1%} -> {after[1]:.1%}, "
          f"other digits {np.delete(before, 1).mean():.1%} -> {np.delete(after, 1).mean():.1%}")
# Three units hardly matter: the evidence for a 1 is spread over many units. Ten units
# cost a quarter of the ones, and almost nothing on the other digits.""",
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
    ), Exercise(
        title="How much did ReLU matter?",
        text="""\
Take experiment 6 (two hidden layers, Adam) and put `Sigmoid()` where its `ReLU()`s are
(with `gain=1.0`). To keep it quick, train both versions for one epoch on the first 10,000
images of `fit_inputs` only (batches of 64, seed 42), and compare their validation
accuracies. Does ReLU still matter once Adam is there?""",
        stub="""\
relu_accuracy = ...  # the validation accuracy of the version with ReLU
sigmoid_accuracy = ...  # the validation accuracy of the version with sigmoids""",
        check="""\
from helpers.checks import check_relu_or_sigmoid

check_relu_or_sigmoid(relu_accuracy, sigmoid_accuracy, fit_inputs, fit_labels,
                      val_inputs, val_labels)""",
        solution="""\
activation_accuracy = {}
for name, activation, gain in [("ReLU", ReLU, 2.0), ("sigmoid", Sigmoid, 1.0)]:
    trial = Sequential([Dense(784, 256, gain=gain, seed=1), activation(),
                        Dense(256, 128, gain=gain, seed=2), activation(),
                        Dense(128, 10, seed=3)], SoftmaxCrossEntropy(), Adam(0.001))
    fit(trial, fit_inputs[:10_000], fit_labels[:10_000], epochs=1, batch_size=64, seed=42,
        progress=False)
    activation_accuracy[name] = accuracy(trial, val_inputs, val_labels)
    print(f"{name:>7}: validation accuracy {activation_accuracy[name]:.4f}")
relu_accuracy, sigmoid_accuracy = activation_accuracy["ReLU"], activation_accuracy["sigmoid"]
# ReLU still matters: with sigmoids, even Adam's network learns more slowly.""",
    ), Exercise(
        title="How far may a digit turn?",
        text="""\
Why only 10 degrees? Turn the first 6 and the first 9 of the test set by 0, 45, 90, 135
and 180 degrees with `rotate_and_shift` and draw them with `digit_gallery`. What would the
network learn if `random_rotations_and_shifts` used `max_degrees=180`?""",
        stub="""\
turned = ...  # 10 images: the 6 turned by 0, 45, 90, 135 and 180 degrees, then the 9""",
        check="""\
from helpers.checks import check_turned

check_turned(turned, test_inputs, test_labels)""",
        solution="""\
angles = [0, 45, 90, 135, 180]
six, nine = (np.flatnonzero(test_labels == digit)[0] for digit in (6, 9))
turned = np.concatenate([rotate_and_shift(test_inputs[[i] * len(angles)], angles, (0, 0))
                         for i in (six, nine)])
digit_gallery(turned, [f"{test_labels[i]} turned {a}°" for i in (six, nine) for a in angles],
              columns=len(angles), title="A 6 and a 9, turned further and further")
plt.show()
# A 6 turned by 180 degrees is a 9, and a 9 a 6. With max_degrees=180 the network would
# be shown 6s that look like 9s labelled 6, and could no longer tell the two apart.""",
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
    ), Exercise(
        title="A kernel of your own",
        text="""\
Make a 5 x 5 kernel that finds the *bottom* edges of strokes (ink above, paper below), put
it into a `Conv2D(1, 1, 5)` and draw the first 6 test digits above their feature maps. The
check slides your kernel over made-up bars: it should answer at their bottom edges, and
hardly at their top edges, in their middle, or at the sides of an upright bar.""",
        stub="""\
bottom_edges = ...  # a 5 x 5 kernel: ink above, paper below""",
        check="""\
from helpers.checks import check_bottom_edges

check_bottom_edges(bottom_edges)""",
        solution="""\
bottom_edges = -left_edges.T  # ink above (positive weights on top), paper below
mine_conv = Conv2D(1, 1, 5)
mine_conv.parameters["weights"][0, 0] = bottom_edges
maps = mine_conv.forward(test_inputs[:6].reshape(-1, 1, 28, 28))[:, 0]
fig, axes = plt.subplots(2, 6, figsize=(12, 4.4), layout="constrained")
for column in range(6):
    show(axes[0, column], test_inputs[column].reshape(28, 28), f"test digit {column}",
         cmap="gray_r")
    show(axes[1, column], maps[column], "bottom edges")
fig.suptitle("A bottom-edge kernel (red: ink above, paper below)")
plt.show()""",
    ), Exercise(
        title="Where the work is",
        text="""\
For each layer of `network` with parameters, count its parameters (weights and biases)
and the multiply-adds it does for one image in the forward pass. A convolution does
$\\text{out\\_height} \\cdot \\text{out\\_width} \\cdot \\text{filters} \\cdot \\text{channels}
\\cdot k^2$ of them, a dense layer $\\text{inputs} \\cdot \\text{outputs}$. Which layer holds
most of the parameters, and which does most of the work?""",
        stub="""\
parameters = ...  # for each layer with parameters, in order: how many it has
multiply_adds = ...  # for each layer with parameters, in order: multiply-adds for one image""",
        check="""\
from helpers.checks import check_work

check_work(parameters, multiply_adds, network)""",
        solution="""\
activation, rows = test_inputs[:1], []
for layer in network.layers:
    activation = layer.forward(activation)
    if isinstance(layer, Conv2D):
        work = activation[0].size * layer.channels * layer.kernel_size ** 2
    elif isinstance(layer, Dense):
        work = layer.inputs * layer.outputs
    else:
        continue
    rows.append({"layer": repr(layer), "parameters": layer.parameters["weights"].size
                 + layer.parameters["bias"].size, "multiply-adds": work})
work = pd.DataFrame(rows)
work["% of the work"] = (100 * work["multiply-adds"] / work["multiply-adds"].sum()).round(1)
parameters, multiply_adds = work["parameters"].tolist(), work["multiply-adds"].tolist()
print(work.to_string(index=False))
# The first dense layer holds 71 % of the parameters; the second convolution does 85 % of
# the work, since each of its 51,264 weights is used at 8 x 8 = 64 positions.""",
    ), Exercise(
        title="Shifted digits",
        text="""\
MNIST digits are centred in their image. Move the first 2,000 test digits 3 pixels to the
right (filling the new columns on the left with 0.01, the input of empty paper) and compare
the accuracy of `network` on them with that of the 784-200-10 network `dense`. Which one
copes better, and why might that be?""",
        stub="""\
shifted = ...  # the first 2,000 test digits, each moved 3 pixels to the right (2,000 x 784)
accuracy_shifted = ...  # {"convolutional": its accuracy on them, "784-200-10": the dense one's}""",
        check="""\
from helpers.checks import check_shifted_cnn

check_shifted_cnn(shifted, accuracy_shifted, network, dense, test_inputs, test_labels)""",
        solution="""\
images = test_inputs[:2000].reshape(-1, 28, 28)
shifted = np.full_like(images, 0.01)
shifted[:, :, 3:] = images[:, :, :-3]  # every column 3 to the right
shifted = shifted.reshape(-1, 784)
accuracy_shifted = {}
for name, net in [("convolutional", network), ("784-200-10", dense)]:
    before = np.mean(query(net, test_inputs[:2000]).argmax(axis=1) == test_labels[:2000])
    accuracy_shifted[name] = np.mean(query(net, shifted).argmax(axis=1) == test_labels[:2000])
    print(f"{name:>13}: {before:.4f} centred, {accuracy_shifted[name]:.4f} shifted by 3 pixels")
# The convolutions find the same strokes wherever they are, and pooling forgets a little
# of where; the dense network's weights are tied to pixel positions it never saw ink in.""",
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
