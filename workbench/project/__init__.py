"""The project context: one store's root, datasets, prompts, runs folder and prices.

Concept packages take a :class:`Project`; the :class:`~workbench.Workbench` facade holds one.
"""

from workbench.project._project import ROOT_ENV, HasProject, Project, as_project, default_root

__all__ = ["ROOT_ENV", "HasProject", "Project", "as_project", "default_root"]
