"""The project context: one store's root, datasets, prompts, label taxonomy, runs folder and prices.

Concept packages take a :class:`Project`; the :class:`~workbench.Workbench` facade holds one.
"""

from workbench.project._project import ROOT_ENV, HasProject, Project, as_project, default_root
from workbench.project._taxonomy import TAXONOMY_FILE, LabelTaxonomy

__all__ = ["ROOT_ENV", "TAXONOMY_FILE", "HasProject", "LabelTaxonomy", "Project", "as_project", "default_root"]
