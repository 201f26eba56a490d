"""Formats for machines: JSON, SARIF 2.1.0 and GitLab code quality (GitHub's are in ``github.py``).

In a notebook, JSON gives the cell and positions relative to it, as the text format does. SARIF and GitLab
(and GitHub) point into the file a reviewer sees in a pull request: the lines of the ``.ipynb`` JSON that hold
the flagged source (``Finding.file_region``; one JSON string per source line, as Jupyter writes a notebook),
without columns, and the message starts with the cell position (``cell 3:4:5:``). SARIF leaves out a
notebook fix's edits: they are cell text, not the file's JSON.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path
from urllib.parse import quote

from memlint import __version__, catalog
from memlint.findings import PARSE_ERROR


def _name(code: str) -> str:
    doc = catalog.load().get(code)
    return doc.name if doc else code


def finding_json(f) -> dict:
    """One finding as the json format gives it (documented in the README; scripts depend on it)."""
    return {
        "code": f.code,
        "name": _name(f.code),
        "message": f.message,
        "path": f.path,
        "line": f.line,
        "column": f.column,
        "end_line": f.end_line,
        "end_column": f.end_column,
        "estimated_bytes": f.estimated_bytes,
        "fingerprint": f.fingerprint,
        "fix": f.fix.to_dict() if f.fix else None,
        "cell": f.cell,
    }


def render_json(findings: list, statistics: bool = False, unsafe_fixes: bool = False, **_) -> str:
    if statistics:
        from memlint.report.text import statistics_rows

        return json.dumps(statistics_rows(findings, unsafe_fixes), indent=2) + "\n"
    return json.dumps([finding_json(f) for f in findings], indent=2) + "\n"


def _uri(path: str) -> str:
    """A URI reference: relative paths percent-encoded (``my file.py`` -> ``my%20file.py``), absolute ones
    as ``file://`` URIs."""
    p = Path(path)
    return p.as_uri() if p.is_absolute() else quote(p.as_posix())


def _region(line, column, end_line, end_column) -> dict:
    region = {"startLine": line, "startColumn": column, "endLine": end_line, "endColumn": end_column}
    return {k: v for k, v in region.items() if v is not None}


# GitHub code scanning reads at most 1,024 characters of a rule's fullDescription; the whole text is in help.
MAX_FULL_DESCRIPTION = 1024


def _full_description(doc) -> str:
    """The catalog's "why", cut at the last sentence that fits (GitHub's limit), else at a word."""
    text = " ".join(doc.why.split()) or doc.summary
    if len(text) <= MAX_FULL_DESCRIPTION:
        return text
    cut = text[: MAX_FULL_DESCRIPTION - 4]
    end = cut.rfind(". ")
    return cut[: end + 1] if end > 0 else cut[: cut.rfind(" ")] + " ..."


def _rule_properties(code: str, doc) -> dict:
    """Code scanning's properties: tags to filter by, how often a result is right, how much it matters."""
    if code == PARSE_ERROR:
        return {"tags": ["correctness"], "precision": "very-high", "problem.severity": "error", "fix": "none"}
    if code == "MEM100":  # unused-noqa: housekeeping, not memory
        return {
            "tags": ["maintainability"],
            "precision": "very-high",
            "problem.severity": "recommendation",
            "fix": doc.fix,
        }
    # memlint reports only what it can name a saving for: high precision; memory is never a security matter.
    return {"tags": ["memory", "performance"], "precision": "high", "problem.severity": "warning", "fix": doc.fix}


def _notification(message: str) -> dict:
    """An error message of the run (``path: why`` or ``path:line: why``) as a SARIF notification, with the
    file's location when the message starts with a path that exists."""
    note = {"level": "error", "message": {"text": message}}
    head = message.split(": ", 1)[0]
    path, _, line = head.partition(":")
    if path and os.path.exists(path):
        location = {"artifactLocation": {"uri": _uri(path)}}
        if line.isdigit() and int(line) >= 1:
            location["region"] = {"startLine": int(line)}
        note["locations"] = [{"physicalLocation": location}]
    return note


def _line_hashes(findings: list) -> list:
    """``primaryLocationLineHash`` per finding, unique in the log: identical findings in one file (same
    rule, same flagged text) are told apart by their order, as GitHub's own ``hash:n`` values are."""
    seen: Counter = Counter()
    out = []
    for f in findings:
        seen[f.fingerprint] += 1
        out.append(f"{f.fingerprint[:16]}:{seen[f.fingerprint]}")
    return out


def render_sarif(findings: list, errors: list = (), **_) -> str:
    docs = catalog.load()
    codes = sorted({f.code for f in findings})
    index = {code: i for i, code in enumerate(codes)}
    rules = []
    for code in codes:
        doc = docs.get(code)
        rule = {"id": code, "name": doc.name if doc else code}
        if doc:
            level = "error" if code == PARSE_ERROR else "warning"
            rule["shortDescription"] = {"text": doc.summary}
            rule["fullDescription"] = {"text": _full_description(doc)}
            rule["help"] = {"text": doc.explain(), "markdown": doc.explain()}
            rule["defaultConfiguration"] = {"level": level}
            rule["properties"] = _rule_properties(code, doc)
        rules.append(rule)
    results = []
    for f, line_hash in zip(findings, _line_hashes(findings)):
        location = {
            "physicalLocation": {
                "artifactLocation": {"uri": _uri(f.path)},
                "region": _region(*f.file_region()),
            }
        }
        result = {
            "ruleId": f.code,
            "ruleIndex": index[f.code],
            "level": "error" if f.code == PARSE_ERROR else "warning",
            "message": {"text": f.cell_prefix() + f.message},
            "locations": [location],
            "partialFingerprints": {"primaryLocationLineHash": line_hash, "memlint/v1": f.fingerprint},
        }
        properties = {}
        if f.estimated_bytes is not None:
            properties["estimatedBytes"] = f.estimated_bytes
        if f.cell is not None:
            properties.update(cell=f.cell, cellLine=f.line, cellColumn=f.column)
        if properties:
            result["properties"] = properties
        if f.fix and f.cell is None:
            result["fixes"] = [
                {
                    "description": {"text": f"{f.fix.message} ({f.fix.applicability} fix)"},
                    "artifactChanges": [
                        {
                            "artifactLocation": {"uri": _uri(f.path)},
                            "replacements": [
                                {
                                    "deletedRegion": _region(e.line, e.column, e.end_line, e.end_column),
                                    "insertedContent": {"text": e.content},
                                }
                                for e in f.fix.edits
                            ],
                        }
                    ],
                }
            ]
        results.append(result)
    # Files that do not parse are results (MEM000) and notifications; files memlint could not read are
    # notifications only: either way the run's status page names them.
    notes = [_notification(e) for e in errors]
    notes += [
        {
            "level": "error",
            "message": {"text": f"{f.path}:{f.cell_prefix() or f'{f.line}:{f.column}: '}{f.message}"},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": _uri(f.path)},
                        "region": {"startLine": f.file_region()[0]},
                    }
                }
            ],
            "descriptor": {"id": PARSE_ERROR},
        }
        for f in findings
        if f.code == PARSE_ERROR
    ]
    log = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "memlint",
                        "version": __version__,
                        "informationUri": "https://pypi.org/project/numpy-memlint/",
                        "rules": rules,
                    }
                },
                "invocations": [{"executionSuccessful": not errors, "toolExecutionNotifications": notes}],
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }
    return json.dumps(log, indent=2) + "\n"


def render_gitlab(findings: list, **_) -> str:
    """GitLab code quality report (a CodeClimate subset). GitLab needs a fingerprint unique per finding:
    identical findings in one file are told apart by their order."""
    seen: Counter = Counter()
    out = []
    for f in findings:
        seen[f.fingerprint] += 1
        n = seen[f.fingerprint]
        line, column, end_line, end_column = f.file_region()
        begin, end = {"line": line}, {"line": end_line}
        if column is not None:
            begin["column"], end["column"] = column, end_column
        out.append(
            {
                "description": f"{f.code} {f.cell_prefix()}{f.message}",
                "check_name": f.code,
                "fingerprint": f.fingerprint if n == 1 else f"{f.fingerprint}-{n}",
                "severity": "major" if f.code == "MEM000" else "minor",
                "location": {
                    "path": f.path,
                    "positions": {"begin": begin, "end": end},
                },
            }
        )
    return json.dumps(out, indent=2) + "\n"
