"""The checks, one module each, all with the interface of `base.Check`."""

from .base import Check
from .dead_activation import DeadActivationCheck
from .frozen_gradient import FrozenGradientCheck
from .grad_accumulation import GradAccumulationCheck
from .no_gradient import NoGradientCheck
from .nonfinite import NonFiniteCheck
from .shared_instance import SharedInstanceCheck
from .stale_cache import StaleCacheCheck
from .trainable_target import TrainableTargetCheck

ALL_CHECKS: dict[str, type[Check]] = {
    c.kind: c for c in (NonFiniteCheck, StaleCacheCheck, FrozenGradientCheck, GradAccumulationCheck,
                        SharedInstanceCheck, DeadActivationCheck, TrainableTargetCheck, NoGradientCheck)
}

__all__ = ["ALL_CHECKS", "Check"] + [c.__name__ for c in ALL_CHECKS.values()]
