"""Check task files before a kiosk loads them: ``python -m kiosk.tasks check [FOLDER …]``.

Loads the built-in tasks and the given folders exactly as the kiosk does, then prints every
problem (file, field, reason), which task replaces a built-in one, the plain-language figures
per language, and tasks whose steps were checked too long ago. Exit status 1 on any problem.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from kiosk.tasks.catalog import BUILTIN_FOLDER, REQUIRED_LANGUAGES, default_folders, load_catalog
from kiosk.tasks.text import MAX_AVERAGE_WORDS, MAX_SENTENCE_WORDS, task_figures


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kiosk.tasks")
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("check", help="check task files and print their figures")
    check.add_argument("folders", nargs="*", type=Path, help="default: the site's task folder")
    check.add_argument("--languages", default=",".join(REQUIRED_LANGUAGES))
    check.add_argument("--max-age-days", type=int, default=180, help="warn when older")
    args = parser.parse_args(argv)

    languages = [code.strip() for code in args.languages.split(",") if code.strip()]
    folders = (BUILTIN_FOLDER, *args.folders) if args.folders else default_folders()
    catalog = load_catalog(folders, languages)
    print("folders: " + ", ".join(str(folder) for folder in folders))
    for problem in catalog.problems:
        print(f"PROBLEM  {problem}    ({problem.file})")
    for task_id in catalog.replaced:
        task = catalog.get(task_id)
        print(f"REPLACES {task_id}: the built-in task is replaced by {task and task.source_file}")
    today = date.today()
    warnings = 0
    for task in catalog.tasks():
        age = task.age_days(today)
        steps = len(task.steps)
        print(f"\n{task.id}  ({task.source_file.name}, {steps} steps, checked {age} days ago)")
        if age > args.max_age_days:
            warnings += 1
            print(f"  WARNING  checked {task.checked}: check the steps against the real site again")
        for lang in languages:
            figures = task_figures(task, lang)
            flag = ""
            if figures.average > MAX_AVERAGE_WORDS or figures.longest > MAX_SENTENCE_WORDS:
                warnings += 1
                flag = f"  WARNING  longest: {figures.longest_sentence!r}"
            print(
                f"  {lang}: {figures.sentences} sentences, {figures.average:.1f} words on average,"
                f" longest {figures.longest}{flag}"
            )
    print(f"\n{len(catalog)} tasks, {len(catalog.problems)} problem(s), {warnings} warning(s)")
    return 1 if catalog.problems else 0


if __name__ == "__main__":
    sys.exit(main())
