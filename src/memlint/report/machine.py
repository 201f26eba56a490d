"""Formats for machines: JSON, GitHub workflow commands, SARIF 2.1.0 and GitLab code quality."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from urllib.parse import quote

from memlint import __version__, catalog


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
    }


def render_json(findings: list, statistics: bool = False, unsafe_fixes: bool = False, **_) -> str:
    if statistics:
        from memlint.report.text import statistics_rows

        return json.dumps(statistics_rows(findings, unsafe_fixes), indent=2) + "\n"
    return json.dumps([finding_json(f) for f in findings], indent=2) + "\n"


def _escape_data(s: str) -> str:
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(s: str) -> str:
    return _escape_data(s).replace(":", "%3A").replace(",", "%2C")


def render_github(findings: list, **_) -> str:
    lines = []
    for f in findings:
        props = (
            f"file={_escape_property(f.path)},line={f.line},col={f.column},endLine={f.end_line},"
            f"endColumn={f.end_column},title={_escape_property(f'{f.code} ({_name(f.code)})')}"
        )
        lines.append(f"::warning {props}::{_escape_data(f.message)}")
    return "".join(line + "\n" for line in lines)


def _uri(path: str) -> str:
    """A URI reference: relative paths percent-encoded (``my file.py`` -> ``my%20file.py``), absolute ones
    as ``file://`` URIs."""
    p = Path(path)
    return p.as_uri() if p.is_absolute() else quote(p.as_posix())


def _region(line, column, end_line, end_column) -> dict:
    return {"startLine": line, "startColumn": column, "endLine": end_line, "endColumn": end_column}


def render_sarif(findings: list, **_) -> str:
    docs = catalog.load()
    codes = sorted({f.code for f in findings})
    index = {code: i for i, code in enumerate(codes)}
    rules = []
    for code in codes:
        doc = docs.get(code)
        rule = {"id": code, "name": doc.name if doc else code}
        if doc:
            rule["shortDescription"] = {"text": doc.summary}
            rule["fullDescription"] = {"text": doc.why.strip() or doc.summary}
            rule["help"] = {"text": doc.explain(), "markdown": doc.explain()}
            rule["properties"] = {"fix": doc.fix}
        rules.append(rule)
    results = []
    for f in findings:
        location = {
            "physicalLocation": {
                "artifactLocation": {"uri": _uri(f.path)},
                "region": _region(f.line, f.column, f.end_line, f.end_column),
            }
        }
        result = {
            "ruleId": f.code,
            "ruleIndex": index[f.code],
            "level": "error" if f.code == "MEM000" else "warning",
            "message": {"text": f.message},
            "locations": [location],
            "partialFingerprints": {"memlint/v1": f.fingerprint},
        }
        if f.estimated_bytes is not None:
            result["properties"] = {"estimatedBytes": f.estimated_bytes}
        if f.fix:
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
    log = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "memlint",
                        "version": __version__,
                        "informationUri": "https://pypi.org/project/memlint/",
                        "rules": rules,
                    }
                },
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
        out.append(
            {
                "description": f"{f.code} {f.message}",
                "check_name": f.code,
                "fingerprint": f.fingerprint if n == 1 else f"{f.fingerprint}-{n}",
                "severity": "major" if f.code == "MEM000" else "minor",
                "location": {
                    "path": f.path,
                    "positions": {
                        "begin": {"line": f.line, "column": f.column},
                        "end": {"line": f.end_line, "column": f.end_column},
                    },
                },
            }
        )
    return json.dumps(out, indent=2) + "\n"
