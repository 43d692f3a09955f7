"""A progress bar on stderr while codemods plan, for runs longer than a moment.

Shown only on a terminal (never in pipes, CI logs or ``--quiet`` runs); it disappears when
planning ends, leaving the report alone on the screen.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

Progress = Callable[[str, int, int], None]


@contextmanager
def progress_bar(enabled: bool) -> Iterator[Progress | None]:
    """Show a transient bar advancing codemod by codemod.

    :param enabled: ``False`` yields ``None`` (no bar, no import of rich).
    :returns: a context whose value is the callback to hand to the planner.
    """
    if not enabled:
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    )
    task = bar.add_task("planning", total=None)

    def advance(codemod_id: str, index: int, count: int) -> None:
        bar.update(task, description=f"planning {codemod_id}", completed=index, total=count)

    with bar:
        yield advance
