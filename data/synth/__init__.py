"""Seeded synthetic demo data with planted structure and its ground truth. SYNTHETIC."""

from data.synth.build import DEMO_PASSWORDS, DemoSummary, build_demo_store, write_files
from data.synth.config import PRESETS, SynthConfig
from data.synth.world import World, build_world

__all__ = [
    "DEMO_PASSWORDS",
    "PRESETS",
    "DemoSummary",
    "SynthConfig",
    "World",
    "build_demo_store",
    "build_world",
    "write_files",
]
