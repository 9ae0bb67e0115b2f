"""The offline engine: every layer under Pulumi's mock runtime, no CLI, no credentials."""

from tooling.offline.engine import LayerResult, ProgramError, Resource, run_layer

__all__ = ["LayerResult", "ProgramError", "Resource", "run_layer"]
