"""Output formats. Each renders a list of findings to one string for stdout.

Every renderer takes the findings and keyword options: ``fixed`` (fixes applied), ``statistics``, ``quiet``,
``unsafe_fixes``, ``errors`` (the run's error messages), ``color`` and ``source`` (display path -> the file's
text, or None), and ignores those it has no use for.
"""

from __future__ import annotations

from memlint.report import github, machine, text

RENDERERS = {
    "concise": text.render,
    "text": text.render,  # the name of concise before `full` existed
    "full": text.render_full,
    "json": machine.render_json,
    "github": github.render,
    "sarif": machine.render_sarif,
    "gitlab": machine.render_gitlab,
}


def render(fmt: str, findings: list, **options) -> str:
    return RENDERERS[fmt](findings, **options)
