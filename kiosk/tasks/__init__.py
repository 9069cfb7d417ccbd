"""Guided tasks: a catalog of step-by-step errands (one TOML file each), without Qt.

The task player and the browser use this API::

    catalog = load_catalog(default_folders(), REQUIRED_LANGUAGES)
    for task in catalog.tasks():              # display order; catalog.problems: left out
        task.title("fr"), task.start_url("fr"), task.allowed_hosts()
    step = task.step_for_url(browser_url)     # highest step whose pattern fits, or None
    catalog = catalog.reload()                # the reload_content command

How to write a task: docs/writing-a-task.md.
"""

from kiosk.tasks.catalog import (
    BUILTIN_FOLDER,
    REQUIRED_LANGUAGES,
    default_folders,
    default_sites_folder,
    load_catalog,
    load_task_file,
)
from kiosk.tasks.model import Catalog, Category, SiteDomains, Step, Task, TaskProblem, Text
from kiosk.tasks.urls import OFFLINE_SCHEME, resolve_offline, to_offline

__all__ = [
    "BUILTIN_FOLDER",
    "OFFLINE_SCHEME",
    "REQUIRED_LANGUAGES",
    "Catalog",
    "Category",
    "SiteDomains",
    "Step",
    "Task",
    "TaskProblem",
    "Text",
    "default_folders",
    "default_sites_folder",
    "load_catalog",
    "load_task_file",
    "resolve_offline",
    "to_offline",
]
