"""Output formats. Each renders a list of findings to one string for stdout."""

from __future__ import annotations

from memlint.report import machine, text

RENDERERS = {
    "text": text.render,
    "json": machine.render_json,
    "github": machine.render_github,
    "sarif": machine.render_sarif,
    "gitlab": machine.render_gitlab,
}


def render(fmt: str, findings: list, **options) -> str:
    return RENDERERS[fmt](findings, **options)
