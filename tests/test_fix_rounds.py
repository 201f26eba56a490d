"""Each fix is judged on the text its rule saw. Two fixes that are each safe alone may not be safe together,
so within one function (the unit the facts layer reasons about) memlint applies one fix, then re-checks."""

import ast

from helpers import config, register_rule

from memlint.checks import Rule, enabled_rules
from memlint.engine import lint_text
from memlint.findings import SAFE, Fix
from memlint.fix import fix_text


class _SetIfOtherUnset(Rule):
    """Test rule: `<mine> = 1` -> `<mine> = 2`, 'safe' only while `<other> = 2` is nowhere in the scope."""

    mine = other = ""

    def check(self, ctx):
        assigned = {
            (n.targets[0].id, n.value.value)
            for n in ast.walk(ctx.tree)
            if isinstance(n, ast.Assign) and isinstance(n.targets[0], ast.Name) and isinstance(n.value, ast.Constant)
        }
        for node in ast.walk(ctx.tree):
            if (
                isinstance(node, ast.Assign)
                and isinstance(node.targets[0], ast.Name)
                and node.targets[0].id == self.mine
                and getattr(node.value, "value", None) == 1
                and (self.other, 2) not in assigned
            ):
                ctx.report(node, f"{self.mine} may become 2", fix=Fix(SAFE, "set", (ctx.edit(node.value, "2"),)))


class _RuleX(_SetIfOtherUnset):
    code, mine, other = "MEM901", "x", "y"


class _RuleY(_SetIfOtherUnset):
    code, mine, other = "MEM902", "y", "x"


def _fix(monkeypatch, code):
    register_rule(monkeypatch, _RuleX())
    register_rule(monkeypatch, _RuleY())
    c = config(select=["MEM90"])
    first = lint_text("t.py", code, c, enabled_rules(c)).findings
    assert len(first) == 2  # both fixes are offered on the original text
    return fix_text("t.py", code, c, False, first)


def test_two_fixes_in_one_function_are_rejudged_one_at_a_time(monkeypatch):
    new, applied, errors = _fix(monkeypatch, "def f():\n    x = 1\n    y = 1\n")
    assert (new, applied, errors) == ("def f():\n    x = 2\n    y = 1\n", 1, [])


def test_module_level_code_is_one_scope(monkeypatch):
    new, applied, _ = _fix(monkeypatch, "x = 1\ny = 1\n")
    assert (new, applied) == ("x = 2\ny = 1\n", 1)


def test_fixes_in_different_functions_are_applied_in_one_round(monkeypatch):
    code = "def f():\n    x = 1\n\ndef g():\n    y = 1\n"
    calls = []
    original = lint_text

    def counting_lint(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr("memlint.engine.lint_text", counting_lint)
    # Rule x sees `y = 2` anywhere in the file, so it declines once g is fixed: one round fixes both first.
    new, applied, _ = _fix(monkeypatch, code)
    assert new == "def f():\n    x = 2\n\ndef g():\n    y = 2\n" and applied == 2
    assert len(calls) == 1  # one re-check after the single round
