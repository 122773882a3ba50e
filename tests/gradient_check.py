"""Numerical gradients for the tests: the independent reference that backpropagation is
checked against (central differences, as notebook 02 explains them). They live in
helpers/checks.py, where the exercises' checks use them too."""

from helpers.checks import numerical_gradient, relative_error

__all__ = ["numerical_gradient", "relative_error"]
