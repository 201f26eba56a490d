"""The one walk of a file's tree (facts/tree.py) behind ctx.nodes, ctx.parent and ctx.scope_of."""

import ast
import textwrap

import pytest

from memlint.context import FileContext
from memlint.facts.tree import MARKER_TYPES, TreeIndex, children
from memlint.source import SourceText

SOURCE = textwrap.dedent("""
    import numpy as np
    from os import path as p
    x: int = 1
    @deco(lambda d=np.pi: d)
    def f(a, b=x + 1, *args, c=[y for y in range(3)], **kw) -> (lambda r: r):
        global g
        z = [w * a for w in b if (v := w)]
        return {k: v for k, v in kw.items()}, f"{a!r:>{b}}", -a + b < c
    class C(Base, metaclass=M):
        attr = x
        def m(self, q=attr):
            return lambda s=q: s + self
    async def h():
        async with ctx() as (u, *rest):
            async for i in aiter():
                del u[i]
        try:
            pass
        except (ValueError, TypeError) as e:
            raise RuntimeError() from e
    while x:
        x -= 1
    else:
        print({1, 2}, {"a": 1, **x}, x[1:2, ...], x.y, not x, x if x else None, await_ := 3)
""")


def _walked(tree):
    """What the index replaces: ast.walk order, parents from ast.iter_child_nodes (markers left out)."""
    by_type, parents = {}, {}
    for node in ast.walk(tree):
        if not isinstance(node, MARKER_TYPES):
            by_type.setdefault(type(node), []).append(node)
            for child in ast.iter_child_nodes(node):
                parents[id(child)] = node
    return by_type, parents


def test_nodes_by_type_in_ast_walk_order_and_parents_as_iter_child_nodes():
    tree = ast.parse(SOURCE)
    index = TreeIndex(tree)
    by_type, parents = _walked(tree)
    assert list(index.by_type) == list(by_type)
    for cls, nodes in by_type.items():
        assert len(index.by_type[cls]) == len(nodes) and all(a is b for a, b in zip(index.by_type[cls], nodes))
    for node in ast.walk(tree):
        assert children(node) == [c for c in ast.iter_child_nodes(node) if not isinstance(c, MARKER_TYPES)]
        if not isinstance(node, MARKER_TYPES):
            assert index.parent(node) is parents.get(id(node))
    assert index.parent(tree) is None


def test_markers_are_shared_so_not_indexed():
    tree = ast.parse("a = b + c\nd = e + f")
    assert tree.body[0].value.op is tree.body[1].value.op  # why: one ast.Add for the whole tree
    ctx = FileContext("t.py", SourceText(""), tree, config=None)
    with pytest.raises(TypeError):
        ctx.nodes(ast.Add)
    assert len(ctx.nodes(ast.Name)) == 6


def test_context_exposes_the_index():
    tree = ast.parse(SOURCE)
    ctx = FileContext("t.py", SourceText(SOURCE), tree, config=None)
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call)]
    assert ctx.nodes(ast.Call) == calls
    assert ctx.nodes(ast.Import, ast.ImportFrom) == [tree.body[0], tree.body[1]]
    assert ctx.parent(tree.body[0]) is tree and ctx.arrays.parent(tree.body[0]) is tree
    assert ctx.arrays.scope_of(tree.body[0]) is tree


def _scope_by_source(tree, index):
    """The scope of every Name, as 'line:name -> scope name'."""
    found = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            scope = index.scope_of(node)
            label = None if scope is None else getattr(scope, "name", type(scope).__name__)
            found.setdefault(f"{node.lineno}:{node.id}", set()).add(label)
    return found


def test_scopes_of_functions_lambdas_classes_and_comprehensions():
    tree = ast.parse(SOURCE)
    scopes = _scope_by_source(tree, TreeIndex(tree))
    assert scopes["5:deco"] == {"Module"}  # decorators and defaults: the enclosing scope
    assert scopes["5:d"] == {"Lambda"}  # a lambda's body: the lambda
    assert scopes["6:x"] == {"Module"} and scopes["6:range"] == {None}  # a default's comprehension: its own
    assert scopes["6:r"] == {None}  # a return annotation is evaluated by no modelled scope
    assert scopes["8:a"] == {None} and scopes["8:z"] == {"f"}
    assert scopes["10:Base"] == {"Module"} and scopes["10:M"] == {"Module"}
    assert scopes["11:attr"] == {None} and scopes["11:x"] == {None}  # a class body is a namespace
    assert scopes["12:attr"] == {None}  # a method's default: the class body
    assert scopes["13:q"] == {"m"} and scopes["13:s"] == {"Lambda"}
    assert scopes["17:u"] == {"h"} and scopes["23:x"] == {"Module"}
