"""A POS that speaks docs/pos-protocol.md, for tests, the demo and integrators."""

from .runner import SimulatorThread, running_simulator
from .server import PosSimulator

__all__ = ["PosSimulator", "SimulatorThread", "running_simulator"]
