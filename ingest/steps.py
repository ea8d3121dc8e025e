"""The registry of pipeline steps: modules of later stages register theirs by name here
(`STEPS.register("update_trust", update_trust)`), and the worker binds the declared
pipelines in `deploy/pipelines/` to it."""

from __future__ import annotations

from ingest.pipeline import StepRegistry

STEPS = StepRegistry()
"""Every step implementation known to this process."""
