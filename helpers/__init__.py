"""The helpers of the Digits by Hand course: code the notebooks build step by step,
kept once here so that later notebooks can reuse it.

Importing it sets how many threads NumPy's matrix products use, to what this computer
really gives the course (see helpers/threads.py).
"""

from . import threads

threads.apply()
