"""ScopeFlow.captured: the names a nested scope reads or binds from the enclosing scope, per Python's scoping rules."""

import ast
import textwrap

import pytest

from memlint.facts.dataflow import ScopeFlow


def captured(code: str) -> set:
    return ScopeFlow(ast.parse(textwrap.dedent(code))).captured


def captured_in_function(code: str) -> set:
    (function,) = ast.parse(textwrap.dedent(code)).body
    return ScopeFlow(function).captured


@pytest.mark.parametrize(
    "code",
    [
        "def f(data): return data.sum()",  # a parameter
        "def f(*data, **kw): return data",
        "def f(*, data=None): return data",
        "def f():\n    data = 1\n    return data",  # an assignment, even after a read
        "def f():\n    print(data)\n    data = 1",  # (UnboundLocalError, but never the outer binding)
        "def f(xs):\n    for data in xs:\n        print(data)",
        "def f(p):\n    with open(p) as data:\n        return data.read()",
        "def f():\n    del data",
        "def f():\n    import data",
        "def f():\n    import data.sub\n    return data",
        "def f():\n    from m import data",
        "def f():\n    def data(): pass",
        "def f():\n    try:\n        pass\n    except ValueError as data:\n        print(data)",
        "def f(xs):\n    return [data for data in xs]",  # a comprehension's target is its own
        "def f(xs):\n    [(data := x) for x in xs]\n    return data",  # the walrus binds in f
        "lambda data: data + 1",
        "class C:\n    data = 1\n    other = 2",  # a class body's own names
        "def f():\n    data = 0\n    def g():\n        return data\n    return g",  # g reads f's, not the module's
        "def f():\n    def g():\n        nonlocal data\n        data = 1\n    data = 0",
    ],
)
def test_a_name_the_nested_scope_binds_itself_is_not_captured(code):
    assert "data" not in captured(code)


@pytest.mark.parametrize(
    "code",
    [
        "def f(): return data.sum()",
        "def f(x): return x + data",
        "lambda: data",
        "def f():\n    def g():\n        def h():\n            return data\n        return h\n    return g",
        "class C:\n    def m(self):\n        return data",
        "class C:\n    data = 1\n    def m(self):\n        return data",  # methods do not see class names
        "class C:\n    size = len(data)",
        "class C:\n    data = data",  # reads the outer binding first
        "def f():\n    global data\n    data = 1",  # global: the module's own name
        "def f():\n    def g():\n        global data\n        data = 1\n    data = 0",
        "def f(xs):\n    return [x + data for x in xs]",
        "def f(xs):\n    return [x for x in data]",
        "def f():\n    [data for data in data]",  # the first iterable is read outside the comprehension
        "@register(data)\ndef f(): pass",  # evaluated here: as today, distrusted
        "def f(x=data): return x",
        "def f(x: data): pass",
        "class C(data): pass",
    ],
)
def test_a_name_read_from_the_enclosing_scope_is_captured(code):
    assert "data" in captured(code)


def test_nonlocal_is_a_capture_of_the_enclosing_function():
    assert "data" in captured_in_function("""
        def f():
            data = 0
            def g():
                nonlocal data
                data += 1
            return g
        """)


def test_a_nested_global_is_a_capture_for_the_module_only():
    code = """
        def f():
            data = 0
            def g():
                global data
                data = 1
            return data, g
        """
    assert "data" not in captured_in_function(code)
    assert "data" in captured(code)


def test_a_grandchild_captures_through_a_child_that_does_not_bind_the_name():
    code = """
        def f():
            data = 0
            def g():
                def h():
                    return data
                return h
            return g
        """
    assert "data" in captured_in_function(code)
    shadowed = code.replace("def h():", "data = 1\n                def h():")
    assert "data" not in captured_in_function(shadowed)


def test_a_class_name_does_not_shadow_for_its_methods():
    code = """
        def f():
            data = 0
            class C:
                data = 1
                def m(self):
                    return data
            return C
        """
    assert "data" in captured_in_function(code)


def test_a_comprehensions_first_iterable_is_a_use_of_the_enclosing_scope_not_a_capture():
    # Python evaluates it there, once, before the comprehension runs: its uses, liveness and reaching
    # definitions are the enclosing function's; what the comprehension's other parts read stays captured
    (function,) = ast.parse(
        "def f(keep):\n    rows = [0]\n    total = [r + keep for r in rows]\n    return total\n"
    ).body
    flow = ScopeFlow(function)
    assert "rows" not in flow.captured and "keep" in flow.captured
    (use,) = flow.loads_of("rows")
    assert [d.node.lineno for d in flow.reaching(use)] == [2]
    (nested,) = ast.parse("def f(xs):\n    return [y for x in xs for y in x if y]\n").body
    assert ScopeFlow(nested).loads_of("xs") and "xs" not in ScopeFlow(nested).captured


@pytest.mark.parametrize(
    "code, opaque",
    [
        ("def f():\n    global data\n    return data + 1", False),  # only read: Python's default anyway
        ("def f():\n    global data\n    data = 1", True),
        ("def f(xs):\n    global data\n    return [data for data in xs]", False),  # the comprehension's own
        ("def f(xs):\n    global data\n    return [(data := x) for x in xs]", True),  # the walrus binds f's
        ("def f():\n    global data\n    def g(x=(data := 1)):\n        pass", True),  # a default, evaluated in f
        ("def f():\n    global data\n    def g():\n        data = 1", False),  # g's own data
        ("def f():\n    global data\n    try:\n        pass\n    except ValueError as data:\n        pass", True),
    ],
)
def test_a_scope_binding_a_name_it_declares_global_is_opaque(code, opaque):
    (function,) = ast.parse(code).body
    assert ScopeFlow(function).opaque is opaque
