"""A console whose content never carries a control character to the terminal, whatever prints it."""

import re
from io import StringIO

from rich.console import Console
from rich.table import Table
from rich.text import Text

from tooling.redaction import terminal_text
from tooling.terminal import plain_text_only

EVIL = "urn:\x1b[2J\x1b]0;title\x07x\r\x9b31m\u202ey"


def test_every_renderable_loses_control_characters_and_rich_keeps_its_styles() -> None:
    buffer = StringIO()
    console = Console(file=buffer, width=100, force_terminal=True, color_system="standard")
    table = Table("resource")
    table.add_row(Text(EVIL))
    with plain_text_only(console, console):  # one hook per console, however often it is named
        console.print(Text(EVIL, style="red"))
        console.print(table)
        console.rule(EVIL)
    shown = buffer.getvalue()
    assert "\x1b[31m" in shown  # rich's own styling still reaches the terminal
    text = re.sub("\x1b\\[[0-9;]*m", "", shown)  # without rich's own styling
    assert text.count("0;titlexy") == 3  # nothing of the text is hidden either
    assert terminal_text(text) == text


def test_the_hook_is_removed_after_the_block() -> None:
    buffer = StringIO()
    console = Console(file=buffer, width=100)
    with plain_text_only(console):
        pass
    console.print(Text("a\x1b[2Jb"))
    assert "\x1b[2J" in buffer.getvalue()
