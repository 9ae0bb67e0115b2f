"""A console that never passes a control character from its content on to the terminal.

URNs, pack messages, file names and program output are text from outside: an escape sequence in
one could recolour, hide or rewrite what the terminal shows. `plain_text_only` installs a rich
render hook that removes control characters (tooling.redaction.CONTROL) from every rendered segment
before rich adds its own styling, so whatever is printed, by whichever code path, is covered.
Secrets are masked before layout, where they are still whole strings (tooling.redaction).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from rich.console import Console, ConsoleOptions, ConsoleRenderable, RenderHook
from rich.segment import Segment

from tooling.redaction import terminal_text


class _Stripped:
    """A renderable whose text segments lose their control characters (rich's own stay)."""

    def __init__(self, inner: ConsoleRenderable) -> None:
        self.inner = inner

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterator[Segment]:
        for segment in console.render(self.inner, options):
            if segment.control:  # cursor movement rich itself asked for
                yield segment
            else:
                yield Segment(terminal_text(segment.text), segment.style)


class _StripHook(RenderHook):
    def process_renderables(self, renderables: list[ConsoleRenderable]) -> list[ConsoleRenderable]:
        return [_Stripped(renderable) for renderable in renderables]


@contextmanager
def plain_text_only(*consoles: Console) -> Iterator[None]:
    """Within the block, nothing these consoles print carries a control character from its text."""
    hooks: Sequence[tuple[Console, _StripHook]] = [
        (c, _StripHook()) for c in dict.fromkeys(consoles)
    ]
    for console, hook in hooks:
        console.push_render_hook(hook)
    try:
        yield
    finally:
        for console, _ in reversed(hooks):
            console.pop_render_hook()
