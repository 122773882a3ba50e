"""Optimisers: how a network's parameters change after each batch, given their gradients.

Each has ``step(parameters, gradients)``, with both dicts keyed by the same names, and
changes the parameter arrays in place. ``weight_decay`` pulls the weights a little towards
0 at every step, ``w -= learning_rate * weight_decay * w``, apart from the gradient step
("decoupled" weight decay; for Adam this is the variant called AdamW). It pulls weights
only, not biases: every parameter with more than one dimension.

The arithmetic keeps each parameter's own float type (float32 or float64): NumPy combines a
Python number with an array in the array's type.
"""

from __future__ import annotations

import math

import numpy as np

#: Every optimiser class by name, so a saved network can rebuild its optimiser.
OPTIMIZERS: dict[str, type] = {}


def _check(name: str, value, low: float, high: float = math.inf,
           low_allowed: bool = False) -> float:
    """``value`` as a float if it lies between ``low`` and ``high``, else a ValueError."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = math.nan
    above_low = number >= low if low_allowed else number > low
    if not (math.isfinite(number) and above_low and number < high):
        bounds = f"{'at least' if low_allowed else 'greater than'} {low:g}"
        bounds += f" and less than {high:g}" if math.isfinite(high) else ""
        raise ValueError(f"{name} must be a number {bounds}, not {value!r}")
    return number


class SGD:
    """Plain gradient descent: ``p -= learning_rate * g``."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        OPTIMIZERS[cls.__name__] = cls

    def __init__(self, learning_rate: float = 0.1, weight_decay: float = 0.0):
        self.learning_rate = _check("learning_rate", learning_rate, 0.0)
        self.weight_decay = _check("weight_decay", weight_decay, 0.0, low_allowed=True)

    def config(self) -> dict:
        """The optimiser's class and settings (not its state, such as Adam's averages)."""
        settings = {key: value for key, value in vars(self).items() if isinstance(value, float)}
        return {"optimizer": type(self).__name__, **settings}

    def __repr__(self) -> str:
        settings = {key: value for key, value in self.config().items() if key != "optimizer"}
        return f"{type(self).__name__}({', '.join(f'{k}={v:g}' for k, v in settings.items())})"

    def step(self, parameters: dict[str, np.ndarray], gradients: dict[str, np.ndarray]) -> None:
        for name, value in parameters.items():
            self.decay(value)
            value -= self.learning_rate * gradients[name]

    def decay(self, value: np.ndarray) -> None:
        """Weight decay: shrink a weight matrix (not a bias) a little towards 0, in place."""
        if self.weight_decay and value.ndim > 1:
            value *= 1.0 - self.learning_rate * self.weight_decay


OPTIMIZERS["SGD"] = SGD


class Momentum(SGD):
    """Gradient descent with momentum: a velocity that keeps a share of its last step.

    ``v = momentum * v - learning_rate * g``; ``p += v``.
    """

    def __init__(self, learning_rate: float = 0.05, momentum: float = 0.9,
                 weight_decay: float = 0.0):
        super().__init__(learning_rate, weight_decay)
        self.momentum = _check("momentum", momentum, 0.0, 1.0, low_allowed=True)
        self.velocity: dict[str, np.ndarray] = {}

    def step(self, parameters, gradients):
        for name, value in parameters.items():
            self.decay(value)
            velocity = self.velocity.setdefault(name, np.zeros_like(value))
            velocity *= self.momentum
            velocity -= self.learning_rate * gradients[name]
            value += velocity


class Adam(SGD):
    """Adam: running averages of the gradient (``m``) and of its square (``v``).

    ``m = beta1 m + (1 - beta1) g``; ``v = beta2 v + (1 - beta2) g**2``;
    ``p -= learning_rate * m_hat / (sqrt(v_hat) + epsilon)``, where ``m_hat = m / (1 - beta1**t)``
    and ``v_hat = v / (1 - beta2**t)`` after t steps (both averages start at 0, and these
    corrections undo the pull towards 0 of the first steps). Dividing by sqrt(v_hat) gives
    every parameter a step of about ``learning_rate``, whatever the size of its gradients.
    """

    def __init__(self, learning_rate: float = 0.001, beta1: float = 0.9, beta2: float = 0.999,
                 epsilon: float = 1e-8, weight_decay: float = 0.0):
        super().__init__(learning_rate, weight_decay)
        self.beta1 = _check("beta1", beta1, 0.0, 1.0, low_allowed=True)
        self.beta2 = _check("beta2", beta2, 0.0, 1.0, low_allowed=True)
        self.epsilon = _check("epsilon", epsilon, 0.0)
        self.m: dict[str, np.ndarray] = {}
        self.v: dict[str, np.ndarray] = {}
        self.t = 0

    def step(self, parameters, gradients):
        self.t += 1
        correction1 = 1.0 - self.beta1 ** self.t
        correction2 = 1.0 - self.beta2 ** self.t
        for name, value in parameters.items():
            self.decay(value)
            g = gradients[name]
            m = self.m.setdefault(name, np.zeros_like(value))
            v = self.v.setdefault(name, np.zeros_like(value))
            m *= self.beta1
            m += (1.0 - self.beta1) * g
            v *= self.beta2
            v += (1.0 - self.beta2) * (g * g)
            # value -= learning_rate * m_hat / (sqrt(v_hat) + epsilon), in fewer passes:
            # m_hat's correction goes into the step size, a number rather than an array
            denominator = np.sqrt(v / correction2)
            denominator += self.epsilon
            value -= (self.learning_rate / correction1) * m / denominator
