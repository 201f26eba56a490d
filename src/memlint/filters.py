"""The one stage between findings and what is reported or fixed: selection, suppressions, baseline.

Rules report everything they find; this stage alone decides what a user sees (the report, ``--diff``) and
what ``--fix`` may touch, so the three can never disagree.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Optional

from memlint.findings import PARSE_ERROR, Finding
from memlint.suppress import Suppressions

UNUSED_NOQA = "MEM100"


class FindingFilter:
    def __init__(self, config, baseline: Optional[Counter] = None):
        self.config = config
        self.baseline = baseline

    def apply(self, findings: Iterable[Finding], suppressions: Mapping[str, Optional[Suppressions]]) -> list:
        """The findings a user sees, in the order given. ``suppressions``: display path -> that file's
        comments. A baseline accepts each fingerprint as many times as it records it, first come first."""
        findings = list(findings)
        accepted = Counter(self.baseline or ())
        kept = []
        for f in findings:
            if f.code != PARSE_ERROR:  # a file memlint cannot read is never reported as clean
                if not self.config.for_path(f.path).enabled(f.code, f.path):
                    continue
                s = suppressions.get(f.path)
                if s is not None and s.silences(f.code, f.line):
                    continue
                if accepted[f.fingerprint] > 0:
                    accepted[f.fingerprint] -= 1
                    continue
            kept.append(f)
        if any(self.config.for_path(p).enabled(UNUSED_NOQA) for p in suppressions):  # on every finding, unsilenced
            from memlint.checks.mem100_unused_noqa import unused_noqa

            for f in unused_noqa(findings, suppressions, self.config):
                if accepted[f.fingerprint] > 0:
                    accepted[f.fingerprint] -= 1
                    continue
                kept.append(f)
            kept.sort(key=Finding.sort_key)
        return kept
