"""Runs: a dataset version x a target x scorers, executed in the background, stored as Parquet parts."""

from workbench._loop import BackgroundLoop, background_loop
from workbench.errors import InvalidLabelError
from workbench.runs._experiment import Experiment, load_experiment, run_experiment
from workbench.runs._labels import DEFAULT_RULES, OUTCOMES, auto_label, closest_label, score_rules, validate_label
from workbench.runs._manifest import RunManifest, ShardState
from workbench.runs._monitor import Monitor
from workbench.runs._run import Run, RunFailedError
from workbench.runs._runner import list_runs, new_run_id, open_run, parse_shard, resume_run, start_run
from workbench.runs._status import ObservedStatus, UnreadableRunWarning, observed_status, resume_hint

__all__ = [
    "DEFAULT_RULES",
    "OUTCOMES",
    "BackgroundLoop",
    "Experiment",
    "InvalidLabelError",
    "Monitor",
    "ObservedStatus",
    "Run",
    "RunFailedError",
    "RunManifest",
    "ShardState",
    "UnreadableRunWarning",
    "auto_label",
    "background_loop",
    "closest_label",
    "list_runs",
    "load_experiment",
    "new_run_id",
    "observed_status",
    "open_run",
    "parse_shard",
    "resume_hint",
    "resume_run",
    "run_experiment",
    "score_rules",
    "start_run",
    "validate_label",
]
