"""`memlint server` driven as an editor drives it: the real server in a child process, over stdio, with
pygls' own language client. Each edit a code action returns is applied to the text and compared with what
`memlint --fix` writes."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest

pytest.importorskip("pygls")

from helpers import memlint_cli
from lsprotocol import types as lsp
from pygls.lsp.client import LanguageClient

pytestmark = pytest.mark.slow

FULL = "import numpy as np\n\n\ndef grid(n):\n    return np.full((4096, 4096), 0.0)\n"
FIXED = "import numpy as np\n\n\ndef grid(n):\n    return np.zeros((4096, 4096))\n"


class Editor:
    """A language client with the documents it has open and the diagnostics it was sent."""

    def __init__(self, root: Path, encodings=("utf-16",), pull=False):
        self.root = root
        self.client = LanguageClient("test-editor", "1")
        self.diagnostics: dict[str, list] = {}
        self.received = asyncio.Event()
        self.versions: dict[str, int] = {}
        self.encodings = encodings
        self.pull = pull

        @self.client.feature(lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def published(params: lsp.PublishDiagnosticsParams):
            self.diagnostics[params.uri] = params.diagnostics
            self.received.set()

        @self.client.feature(lsp.WINDOW_LOG_MESSAGE)
        def log(params):
            pass

    async def start(self):
        env = dict(os.environ)
        await self.client.start_io(sys.executable, "-m", "memlint", "server", cwd=str(self.root), env=env)
        capabilities = lsp.ClientCapabilities(
            general=lsp.GeneralClientCapabilities(position_encodings=list(self.encodings)),
            text_document=lsp.TextDocumentClientCapabilities(
                diagnostic=lsp.DiagnosticClientCapabilities() if self.pull else None,
                publish_diagnostics=lsp.PublishDiagnosticsClientCapabilities(),
            ),
            notebook_document=lsp.NotebookDocumentClientCapabilities(lsp.NotebookDocumentSyncClientCapabilities()),
        )
        result = await self.client.initialize_async(
            lsp.InitializeParams(capabilities=capabilities, root_uri=self.root.as_uri(), process_id=os.getpid())
        )
        self.client.initialized(lsp.InitializedParams())
        return result

    async def stop(self):
        await self.client.shutdown_async(None)
        self.client.exit(None)
        await asyncio.wait_for(self.client._server.wait(), 10)
        return self.client._server.returncode

    def uri(self, name: str) -> str:
        return (self.root / name).as_uri()

    async def open(self, name: str, text: str) -> list:
        uri = self.uri(name)
        self.versions[uri] = 1
        self.expect(uri)
        self.client.text_document_did_open(lsp.DidOpenTextDocumentParams(lsp.TextDocumentItem(uri, "python", 1, text)))
        return await self.wait(uri)

    async def change(self, name: str, text: str) -> list:
        uri = self.uri(name)
        self.versions[uri] += 1
        self.expect(uri)
        self.client.text_document_did_change(
            lsp.DidChangeTextDocumentParams(
                lsp.VersionedTextDocumentIdentifier(self.versions[uri], uri),
                [lsp.TextDocumentContentChangeWholeDocument(text)],
            )
        )
        return await self.wait(uri)

    def expect(self, uri: str) -> None:
        """Forget what was sent for ``uri``: ``wait`` then returns only diagnostics sent from now on."""
        self.diagnostics.pop(uri, None)
        self.received.clear()

    async def wait(self, uri: str) -> list:
        if self.pull:
            report = await self.client.text_document_diagnostic_async(
                lsp.DocumentDiagnosticParams(lsp.TextDocumentIdentifier(uri))
            )
            return list(report.items)
        while True:
            await asyncio.wait_for(self.received.wait(), 30)
            self.received.clear()
            if uri in self.diagnostics:
                return list(self.diagnostics[uri])

    async def actions(self, name: str, rng: lsp.Range, only=None) -> list:
        return await self.client.text_document_code_action_async(
            lsp.CodeActionParams(lsp.TextDocumentIdentifier(self.uri(name)), rng, lsp.CodeActionContext([], only=only))
        )

    async def hover(self, name: str, line: int, character: int):
        return await self.client.text_document_hover_async(
            lsp.HoverParams(lsp.TextDocumentIdentifier(self.uri(name)), lsp.Position(line, character))
        )


def units(char: str, encoding: str) -> int:
    """How many code units of the client's encoding a character takes."""
    if encoding == "utf-8":
        return len(char.encode("utf-8"))
    if encoding == "utf-16":
        return 2 if ord(char) > 0xFFFF else 1
    return 1


def apply(text: str, edits: list, encoding: str = "utf-16") -> str:
    """Apply LSP text edits (positions in the client's encoding) the way an editor does."""

    def offset(p: lsp.Position) -> int:
        lines = text.splitlines(keepends=True)
        if p.line >= len(lines):
            return len(text)
        line, seen, i = lines[p.line], 0, 0
        while i < len(line) and seen < p.character:
            seen += units(line[i], encoding)
            i += 1
        return sum(len(x) for x in lines[: p.line]) + i

    for e in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
        text = text[: offset(e.range.start)] + e.new_text + text[offset(e.range.end) :]
    return text


def edits_of(action: lsp.CodeAction) -> list:
    return [e for change in action.edit.document_changes for e in change.edits]


def run(coro):
    return asyncio.run(coro)


def test_diagnostics_quick_fix_hover_noqa_and_shutdown(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.memlint]\n")

    async def session():
        editor = Editor(tmp_path)
        init = await editor.start()
        assert init.server_info.name == "memlint"
        diags = await editor.open("grid.py", FULL)
        assert [(d.code, d.source, d.severity) for d in diags] == [
            ("MEM017", "memlint", lsp.DiagnosticSeverity.Warning)
        ]
        d = diags[0]
        assert (d.range.start.line, d.range.start.character) == (4, 11)
        assert "128.0 MiB" in d.message

        actions = await editor.actions("grid.py", d.range)
        titles = [a.title for a in actions]
        assert any("np.zeros" in t or "Replace" in t for t in titles), titles
        fix = next(a for a in actions if "noqa" not in a.title)
        assert fix.kind == lsp.CodeActionKind.QuickFix
        assert apply(FULL, edits_of(fix)) == FIXED
        noqa = next(a for a in actions if "noqa" in a.title)
        suppressed = apply(FULL, edits_of(noqa))
        assert suppressed.splitlines()[4].endswith("# noqa: MEM017")

        # Applying the quick fix (as the editor does) clears the diagnostic.
        assert await editor.change("grid.py", FIXED) == []
        # A suppression comment silences it too.
        assert await editor.change("grid.py", suppressed) == []

        # Hover: on the finding, and on the code inside a noqa comment.
        await editor.change("grid.py", FULL)
        hover = await editor.hover("grid.py", 4, 15)
        assert "full-zeros (MEM017)" in hover.contents.value and "Fix safety" in hover.contents.value
        await editor.change("grid.py", suppressed)
        line = suppressed.splitlines()[4]
        hover = await editor.hover("grid.py", 4, line.index("MEM017") + 2)
        assert "full-zeros (MEM017)" in hover.contents.value
        return await editor.stop()

    assert run(session()) == 0


def test_fix_all_gives_what_memlint_fix_writes(tmp_path):
    source = (
        "import numpy as np\n\n\ndef f():\n    a = np.ones(1_000_000)\n    a = a * 2.0\n    a = np.sqrt(a)\n"
        "    b = np.full((1024, 1024), 0.0)\n    return a.sum() + b.sum()\n"
    )
    (tmp_path / "mod.py").write_text(source)
    fixed_by_cli = tmp_path / "cli"
    fixed_by_cli.mkdir()
    (fixed_by_cli / "mod.py").write_text(source)
    memlint_cli("--fix", "--no-cache", str(fixed_by_cli / "mod.py"))
    expected = (fixed_by_cli / "mod.py").read_text()
    assert expected != source

    async def session():
        editor = Editor(tmp_path)
        await editor.start()
        diags = await editor.open("mod.py", source)
        assert {d.code for d in diags} >= {"MEM001", "MEM017"}
        whole = lsp.Range(lsp.Position(0, 0), lsp.Position(20, 0))
        actions = await editor.actions("mod.py", whole, only=["source.fixAll.memlint"])
        assert [a.kind for a in actions] == ["source.fixAll.memlint"]
        fixed = apply(source, edits_of(actions[0]))
        assert await editor.change("mod.py", fixed) == []
        await editor.stop()
        return fixed

    assert run(session()) == expected


def test_positions_in_the_negotiated_encoding_with_astral_characters(tmp_path):
    # Two astral-plane characters before the finding: 2 code points, 4 UTF-16 units, 8 UTF-8 bytes.
    source = 'import numpy as np\n\ngrid = ("😀😀", np.full((2048, 2048), 0.0))\n'
    code_points = source.splitlines()[2].index("np.full")

    async def session(encoding):
        editor = Editor(tmp_path, encodings=(encoding,))
        init = await editor.start()
        assert init.capabilities.position_encoding == encoding
        diags = await editor.open("emoji.py", source)
        assert [d.code for d in diags] == ["MEM017"]
        start = diags[0].range.start.character
        actions = await editor.actions("emoji.py", diags[0].range)
        fix = next(a for a in actions if "noqa" not in a.title)
        fixed = apply(source, edits_of(fix), encoding)
        await editor.stop()
        return start, fixed

    for encoding, extra in (("utf-16", 2), ("utf-8", 6), ("utf-32", 0)):
        start, fixed = run(session(encoding))
        assert start == code_points + extra, encoding
        assert fixed == source.replace("np.full((2048, 2048), 0.0)", "np.zeros((2048, 2048))"), encoding


def test_syntax_error_and_pull_diagnostics(tmp_path):
    async def session():
        editor = Editor(tmp_path, pull=True)
        await editor.start()
        diags = await editor.open("broken.py", "def f(:\n    pass\n")
        assert [(d.code, d.severity) for d in diags] == [("MEM000", lsp.DiagnosticSeverity.Error)]
        assert await editor.change("broken.py", "def f():\n    pass\n") == []
        return await editor.stop()

    assert run(session()) == 0


def test_configuration_is_the_projects_own(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.memlint]\nignore = ["MEM017"]\n')
    sub = tmp_path / "pkg"
    sub.mkdir()

    async def session():
        editor = Editor(tmp_path)
        await editor.start()
        assert await editor.open("pkg/grid.py", FULL) == []
        await editor.stop()

    run(session())


def test_configuration_read_again_when_it_changes(tmp_path):
    config = tmp_path / "pyproject.toml"
    config.write_text("[tool.memlint]\n")

    async def session():
        editor = Editor(tmp_path)
        await editor.start()
        assert [d.code for d in await editor.open("grid.py", FULL)] == ["MEM017"]
        config.write_text('[tool.memlint]\nignore = ["MEM017"]\n')
        editor.expect(editor.uri("grid.py"))
        editor.client.workspace_did_change_watched_files(
            lsp.DidChangeWatchedFilesParams([lsp.FileEvent(config.as_uri(), lsp.FileChangeType.Changed)])
        )
        after = await editor.wait(editor.uri("grid.py"))
        await editor.stop()
        return after

    assert run(session()) == []


def test_unsafe_fixes_only_when_configured_and_labelled(tmp_path):
    # MEM014 with a length memlint cannot see is an unsafe fix.
    source = "import numpy as np\n\n\ndef f(n):\n    return np.array(range(n))\n"

    async def titles(config):
        (tmp_path / "pyproject.toml").write_text(config)
        editor = Editor(tmp_path)
        await editor.start()
        diags = await editor.open("r.py", source)
        assert [d.code for d in diags] == ["MEM014"]
        actions = await editor.actions("r.py", diags[0].range)
        await editor.stop()
        return [a.title for a in actions if "noqa" not in a.title]

    assert run(titles("[tool.memlint]\n")) == []
    unsafe = run(titles("[tool.memlint]\nunsafe-fixes = true\n"))
    assert len(unsafe) == 1 and unsafe[0].endswith("(unsafe)")


def test_project_wide_rules_see_the_other_files(tmp_path):
    (tmp_path / "geometry.py").write_text(
        "class Point:\n    def __init__(self, x, y):\n        self.x = x\n        self.y = y\n"
    )
    user = "from geometry import Point\n\npoints = [Point(i, i) for i in range(1_000_000)]\n"
    (tmp_path / "use.py").write_text(user)

    async def session():
        editor = Editor(tmp_path)
        await editor.start()
        diags = await editor.open("geometry.py", (tmp_path / "geometry.py").read_text())
        await editor.stop()
        return diags

    assert "MEM003" in [d.code for d in run(session())]


def test_without_pygls_one_line_says_what_to_install(tmp_path):
    import subprocess

    (tmp_path / "pygls").mkdir()
    (tmp_path / "pygls" / "__init__.py").write_text("raise ImportError('no pygls here', name='pygls')\n")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")]))
    r = subprocess.run([sys.executable, "-m", "memlint", "server"], capture_output=True, text=True, env=env, timeout=60)
    assert r.returncode == 2
    assert r.stderr.strip().count("\n") == 0 and "numpy-memlint[server]" in r.stderr


def test_notebook_document_cells_get_their_own_diagnostics_and_fixes(tmp_path):
    markdown = "# A notebook\n"
    setup = "import numpy as np\n%matplotlib inline\n"
    grid = "n = 4096\ngrid = np.full((4096, 4096), 0.0)\nprint(grid.sum())\n"
    notebook_uri = (tmp_path / "analysis.ipynb").as_uri()
    cells = [
        (lsp.NotebookCellKind.Markup, "markdown", markdown),
        (lsp.NotebookCellKind.Code, "python", setup),
        (lsp.NotebookCellKind.Code, "python", grid),
    ]
    cell_uris = [f"vscode-notebook-cell:{tmp_path / 'analysis.ipynb'}#cell{i}" for i in range(len(cells))]

    async def session():
        editor = Editor(tmp_path)
        init = await editor.start()
        assert init.capabilities.notebook_document_sync is not None
        editor.client.notebook_document_did_open(
            lsp.DidOpenNotebookDocumentParams(
                lsp.NotebookDocument(
                    notebook_uri,
                    "jupyter-notebook",
                    1,
                    [lsp.NotebookCell(kind, uri) for (kind, _, _), uri in zip(cells, cell_uris)],
                ),
                [
                    lsp.TextDocumentItem(uri, language, 1, text)
                    for (_, language, text), uri in zip(cells, cell_uris)
                    if language == "python"
                ],
            )
        )
        diags = await editor.wait(cell_uris[2])
        assert [(d.code, d.range.start.line, d.range.start.character) for d in diags] == [("MEM017", 1, 7)]
        assert list(editor.diagnostics.get(cell_uris[1], [])) == []  # the magic line is no error
        actions = await editor.client.text_document_code_action_async(
            lsp.CodeActionParams(lsp.TextDocumentIdentifier(cell_uris[2]), diags[0].range, lsp.CodeActionContext([]))
        )
        quick = next(a for a in actions if "noqa" not in a.title)
        assert [c.text_document.uri for c in quick.edit.document_changes] == [cell_uris[2]]
        fixed = apply(grid, edits_of(quick))
        assert fixed == grid.replace("np.full((4096, 4096), 0.0)", "np.zeros((4096, 4096))")
        everything = await editor.client.text_document_code_action_async(
            lsp.CodeActionParams(
                lsp.TextDocumentIdentifier(cell_uris[2]),
                lsp.Range(lsp.Position(0, 0), lsp.Position(0, 0)),
                lsp.CodeActionContext([], only=["source.fixAll.memlint"]),
            )
        )
        assert [[c.text_document.uri for c in a.edit.document_changes] for a in everything] == [[cell_uris[2]]]
        assert apply(grid, edits_of(everything[0])) == fixed
        # The editor applies the fix to the cell: the diagnostic goes.
        editor.expect(cell_uris[2])
        editor.client.notebook_document_did_change(
            lsp.DidChangeNotebookDocumentParams(
                lsp.VersionedNotebookDocumentIdentifier(2, notebook_uri),
                lsp.NotebookDocumentChangeEvent(
                    cells=lsp.NotebookDocumentCellChanges(
                        text_content=[
                            lsp.NotebookDocumentCellContentChanges(
                                lsp.VersionedTextDocumentIdentifier(2, cell_uris[2]),
                                [lsp.TextDocumentContentChangeWholeDocument(fixed)],
                            )
                        ]
                    )
                ),
            )
        )
        assert await editor.wait(cell_uris[2]) == []
        return await editor.stop()

    assert run(session()) == 0
