"""The helpers of the Digits by Hand course: code the notebooks build step by step,
kept once here so that later notebooks can reuse it."""
