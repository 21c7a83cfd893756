"""mkdocs hook: replaces the `<!-- tmgw-reference -->` line of a page with the help of `tmgw`
and every command, rendered from the Typer app at build time (so it never goes stale)."""

from __future__ import annotations

from typing import Any

PLACEHOLDER = "<!-- tmgw-reference -->"


def render_reference() -> str:
    """Markdown: one section per command, each with its `--help` text."""
    import typer

    from truemarkets_gateway.cli.app import app

    root = typer.main.get_command(app)
    root_ctx = typer.Context(
        root, info_name="tmgw", max_content_width=88, help_option_names=["-h", "--help"]
    )
    sections = [_section("tmgw", root.get_help(root_ctx))]
    for name in root.list_commands(root_ctx):  # type: ignore[attr-defined]
        command = root.get_command(root_ctx, name)  # type: ignore[attr-defined]
        if command is None or command.hidden:
            continue
        ctx = typer.Context(command, info_name=name, parent=root_ctx, max_content_width=88)
        sections.append(_section(f"tmgw {name}", command.get_help(ctx)))
    return "\n".join(sections)


def _section(title: str, help_text: str) -> str:
    return f"## `{title}`\n\n```text\n{help_text.rstrip()}\n```\n"


def on_page_markdown(markdown: str, **_: Any) -> str:
    if PLACEHOLDER not in markdown:
        return markdown
    return markdown.replace(PLACEHOLDER, render_reference())
