"""``memlint server``: memlint in the editor, over the Language Server Protocol on stdio.

What it gives any LSP client: diagnostics for every open Python file (pushed after open, change and save, or
pulled where the client asks for them), a quick fix per fixable finding, ``source.fixAll.memlint`` applying
every safe fix exactly as ``memlint --fix`` would, a "suppress with ``# noqa``" action for every finding, and
the rule's catalog entry on hover. Findings come from the editor's text, not the file on disk, through the
same engine and configuration (``pyproject.toml``/``memlint.toml`` found from each file) as the command line.

pygls is an optional dependency (the ``server`` extra): ``memlint check`` never imports this module.
"""

from __future__ import annotations

import asyncio
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from lsprotocol import types as lsp
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path
from pygls.workspace.position_codec import PositionCodec, ServerTextPosition

from memlint import __version__, catalog, engine, files, fix, suppress
from memlint.checks import enabled_rules, rule_options
from memlint.config import Config, ConfigError, load_config
from memlint.findings import PARSE_ERROR, SAFE, Finding
from memlint.source import split_lines

SOURCE = "memlint"
FIX_ALL = "source.fixAll.memlint"
# Diagnostics follow typing after this pause (seconds): a file is not re-checked on every keystroke.
DEBOUNCE_SECONDS = 0.25
CONFIG_NAMES = ("pyproject.toml", "memlint.toml")


@dataclass
class Checked:
    """One version of an open document and what memlint found in it."""

    version: Optional[int]
    text: str
    config: Config
    findings: list
    notebook: Optional[str] = None  # a cell's notebook URI


# Jupyter notebooks open in the editor: their Python cells are synced, and checked as the module they make.
NOTEBOOK_SYNC = lsp.NotebookDocumentSyncOptions(
    notebook_selector=[
        lsp.NotebookDocumentFilterWithCells(cells=[lsp.NotebookCellLanguage("python")], notebook="jupyter-notebook")
    ],
    save=True,
)


class MemlintServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__(SOURCE, __version__, notebook_document_sync=NOTEBOOK_SYNC)
        self.checked: dict[str, Checked] = {}  # uri -> the latest check of that document
        self._timers: dict[str, asyncio.TimerHandle] = {}
        self._configs: dict[Path, Config] = {}  # folder -> its configuration, until a configuration changes
        self._indexes: dict[Path, dict] = {}  # configuration root -> display path -> FileResult (project facts)
        self.pull = False  # the client asks for diagnostics (textDocument/diagnostic) instead of being sent them

    # --- configuration and the project ------------------------------------------------------------------

    def config_for(self, path: Path) -> Config:
        folder = path.parent
        if folder not in self._configs:
            self._configs[folder] = load_config(None, folder, rule_options())
        return self._configs[folder]

    def project_results(self, config: Config) -> dict:
        """Every project file's facts for the project-wide rules (MEM003, MEM004), from the cache where it
        is fresh; built once per configuration root and then updated file by file as documents change."""
        root = config.root
        if root not in self._indexes:
            rules = enabled_rules(config)
            index: dict = {}
            if any(r.is_project_rule for r in rules):
                paths, _ = files.discover([root], config)
                cache = None
                from memlint.cache import Cache

                cache = Cache.open(config, [r.code for r in rules])
                for path in paths:
                    display = files.display_path(path)
                    from memlint.facts.imports import module_name_of

                    result = cache.load(path, display, module_name_of(path))
                    if result is None:
                        result = engine.check_file(path, config, rules, cache)
                    result.findings = []  # only the facts are kept: a project's findings are rebuilt per document
                    index[display] = result
            self._indexes[root] = index
        return self._indexes[root]

    def forget_configuration(self) -> None:
        self._configs.clear()
        self._indexes.clear()

    # --- checking ------------------------------------------------------------------------------------------

    def check(self, uri: str) -> Optional[Checked]:
        """Check the document's current text (once per version); a notebook cell is checked with its notebook."""
        doc = self.workspace.get_text_document(uri)
        previous = self.checked.get(uri)
        if previous is not None and previous.version == doc.version and previous.text == doc.source:
            return previous
        notebook_doc = self.workspace.get_notebook_document(cell_uri=uri)
        if notebook_doc is not None:
            self.check_notebook(notebook_doc)
            return self.checked.get(uri)
        path = self._path(uri)
        config = self._config(path)
        if path is None or config is None:
            return None
        text = doc.source
        findings, errors = engine.check_text(path, text, config, self.project_results(config))
        self._log(errors)
        checked = Checked(doc.version, text, config, findings)
        self.checked[uri] = checked
        return checked

    def check_notebook(self, notebook_doc: lsp.NotebookDocument) -> list:
        """Check a notebook as the module its code cells make; each cell's findings go to that cell's document
        (positions relative to the cell, as the editor shows it). Returns the cells' URIs."""
        path = self._path(notebook_doc.uri)
        config = self._config(path)
        if path is None or config is None:
            return []
        uris = [cell.document for cell in notebook_doc.cells]
        docs = [self.workspace.text_documents.get(u) for u in uris]
        cells = [(d.source if d is not None else "", c.kind, d is not None) for c, d in zip(notebook_doc.cells, docs)]
        findings, errors = engine.check_cells(path, notebook_of(path, cells), config, self.project_results(config))
        self._log(errors)
        for number, (uri, d) in enumerate(zip(uris, docs), 1):
            if d is not None:
                mine = [f for f in findings if f.cell == number]
                self.checked[uri] = Checked(d.version, d.source, config, mine, notebook_doc.uri)
        return [u for u, d in zip(uris, docs) if d is not None]

    def _log(self, errors: list) -> None:
        for e in errors:  # a rule that failed on this text: said in the editor's log, as the command line says it
            self.window_log_message(lsp.LogMessageParams(lsp.MessageType.Warning, f"memlint: {e}"))

    def _path(self, uri: str) -> Optional[Path]:
        fs_path = to_fs_path(uri)
        return Path(fs_path) if fs_path else None

    def _config(self, path: Optional[Path]) -> Optional[Config]:
        if path is None:
            return None
        try:
            return self.config_for(path)
        except ConfigError as e:
            self.window_show_message(lsp.ShowMessageParams(lsp.MessageType.Error, f"memlint: {e}"))
            return None

    def publish(self, uri: str) -> None:
        """Send the diagnostics of a document, or of every cell of a notebook (``uri`` a notebook's)."""
        self._timers.pop(uri, None)
        notebook_doc = self.workspace.get_notebook_document(notebook_uri=uri)
        if notebook_doc is not None:
            uris = self.check_notebook(notebook_doc)
        elif uri in self.workspace.text_documents:
            uris = [uri] if self.check(uri) is not None else []
        else:
            return
        if self.pull:
            return
        for u in uris:
            checked = self.checked[u]
            self.text_document_publish_diagnostics(
                lsp.PublishDiagnosticsParams(u, diagnostics(checked, self.codec), version=checked.version)
            )

    def schedule(self, uri: str, delay: float) -> None:
        timer = self._timers.pop(uri, None)
        if timer is not None:
            timer.cancel()
        self._timers[uri] = asyncio.get_running_loop().call_later(delay, self.publish, uri)

    @property
    def codec(self) -> PositionCodec:
        return PositionCodec(self.workspace.position_encoding or lsp.PositionEncodingKind.Utf16)


def notebook_of(path: Path, cells: list):
    """The notebook an editor has open, as memlint reads a file: ``cells`` are (source, LSP cell kind, synced)
    in order; a cell the editor does not sync (markdown, another language) counts as markdown."""
    from memlint import notebook

    return notebook.Notebook(
        files.display_path(path),
        "",
        False,
        [
            notebook.Cell(number, "code" if kind == lsp.NotebookCellKind.Code and synced else "markdown", source)
            for number, (source, kind, synced) in enumerate(cells, 1)
        ],
        "python",
    )


# --- positions: memlint's 1-based lines and code-point columns <-> the client's encoding -----------------


def lsp_range(lines: list, codec: PositionCodec, line: int, column: int, end_line: int, end_column: int) -> lsp.Range:
    return lsp.Range(
        codec.position_to_client_units(lines, ServerTextPosition(line - 1, column - 1)),
        codec.position_to_client_units(lines, ServerTextPosition(end_line - 1, end_column - 1)),
    )


def finding_range(checked: Checked, codec: PositionCodec, f: Finding) -> lsp.Range:
    return lsp_range(split_lines(checked.text), codec, f.line, f.column, f.end_line, f.end_column)


def diagnostics(checked: Checked, codec: PositionCodec) -> list:
    return [diagnostic(checked, codec, f) for f in checked.findings]


def diagnostic(checked: Checked, codec: PositionCodec, f: Finding) -> lsp.Diagnostic:
    return lsp.Diagnostic(
        range=finding_range(checked, codec, f),
        message=f.message,
        severity=lsp.DiagnosticSeverity.Error if f.code == PARSE_ERROR else lsp.DiagnosticSeverity.Warning,
        code=f.code,
        source=SOURCE,
    )


def text_edit(before: str, after: str, codec: PositionCodec) -> lsp.TextEdit:
    """One edit that turns ``before`` into ``after``: the changed middle, between the common prefix and suffix."""
    start = 0
    limit = min(len(before), len(after))
    while start < limit and before[start] == after[start]:
        start += 1
    end = 0
    while end < limit - start and before[len(before) - 1 - end] == after[len(after) - 1 - end]:
        end += 1
    lines = split_lines(before)
    return lsp.TextEdit(
        lsp.Range(position_at(lines, start, codec), position_at(lines, len(before) - end, codec)),
        after[start : len(after) - end],
    )


def position_at(lines: list, offset: int, codec: PositionCodec) -> lsp.Position:
    for number, line in enumerate(lines):
        if offset < len(line) or number == len(lines) - 1 and offset <= len(line):
            return codec.position_to_client_units(lines, ServerTextPosition(number, offset))
        offset -= len(line)
    return lsp.Position(len(lines), 0)


# --- the server's features --------------------------------------------------------------------------------


def build() -> MemlintServer:
    server = MemlintServer()

    @server.feature(lsp.INITIALIZED)
    def initialized(ls: MemlintServer, params: lsp.InitializedParams) -> None:
        root = ls.workspace.root_path
        if root and os.path.isdir(root):
            os.chdir(root)  # paths are shown, and project facts keyed, relative to the workspace
        watch = (ls.client_capabilities.workspace or lsp.WorkspaceClientCapabilities()).did_change_watched_files
        if watch is not None and watch.dynamic_registration:
            ls.client_register_capability(
                lsp.RegistrationParams(
                    [
                        lsp.Registration(
                            "memlint-watch",
                            lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                            lsp.DidChangeWatchedFilesRegistrationOptions(
                                [
                                    lsp.FileSystemWatcher(glob)
                                    for glob in ("**/*.py", *(f"**/{n}" for n in CONFIG_NAMES))
                                ]
                            ),
                        )
                    ]
                )
            )

    @server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: MemlintServer, params: lsp.DidOpenTextDocumentParams) -> None:
        ls.schedule(params.text_document.uri, 0)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: MemlintServer, params: lsp.DidChangeTextDocumentParams) -> None:
        ls.schedule(params.text_document.uri, DEBOUNCE_SECONDS)

    @server.feature(lsp.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: MemlintServer, params: lsp.DidSaveTextDocumentParams) -> None:
        ls.schedule(params.text_document.uri, 0)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: MemlintServer, params: lsp.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        ls.checked.pop(uri, None)
        timer = ls._timers.pop(uri, None)
        if timer is not None:
            timer.cancel()
        if not ls.pull:
            ls.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(uri, []))

    @server.feature(lsp.NOTEBOOK_DOCUMENT_DID_OPEN)
    def notebook_did_open(ls: MemlintServer, params: lsp.DidOpenNotebookDocumentParams) -> None:
        ls.schedule(params.notebook_document.uri, 0)

    @server.feature(lsp.NOTEBOOK_DOCUMENT_DID_CHANGE)
    def notebook_did_change(ls: MemlintServer, params: lsp.DidChangeNotebookDocumentParams) -> None:
        ls.schedule(params.notebook_document.uri, DEBOUNCE_SECONDS)

    @server.feature(lsp.NOTEBOOK_DOCUMENT_DID_SAVE)
    def notebook_did_save(ls: MemlintServer, params: lsp.DidSaveNotebookDocumentParams) -> None:
        ls.schedule(params.notebook_document.uri, 0)

    @server.feature(lsp.NOTEBOOK_DOCUMENT_DID_CLOSE)
    def notebook_did_close(ls: MemlintServer, params: lsp.DidCloseNotebookDocumentParams) -> None:
        for cell in params.cell_text_documents:
            ls.checked.pop(cell.uri, None)
            if not ls.pull:
                ls.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(cell.uri, []))

    @server.feature(lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def did_change_watched_files(ls: MemlintServer, params: lsp.DidChangeWatchedFilesParams) -> None:
        if any(Path(to_fs_path(c.uri) or "").name in CONFIG_NAMES for c in params.changes):
            ls.forget_configuration()  # read again on the next check, with the project's facts
        else:
            for change in params.changes:
                path = to_fs_path(change.uri)
                if path is None or change.uri in ls.workspace.text_documents:
                    continue  # an open document's facts come from the editor's text
                for root, index in ls._indexes.items():
                    display = files.display_path(Path(path))
                    if change.type == lsp.FileChangeType.Deleted:
                        index.pop(display, None)
                    elif Path(path).is_relative_to(root):
                        config = ls.config_for(Path(path))
                        result = engine.check_file(Path(path), config, enabled_rules(config))
                        result.findings = []
                        index[display] = result
        ls.checked.clear()
        for uri in list(ls.workspace.text_documents):
            ls.schedule(uri, 0)

    @server.feature(
        lsp.TEXT_DOCUMENT_DIAGNOSTIC,
        lsp.DiagnosticOptions(inter_file_dependencies=True, workspace_diagnostics=False, identifier=SOURCE),
    )
    def pull_diagnostics(ls: MemlintServer, params: lsp.DocumentDiagnosticParams):
        ls.pull = True  # a client that pulls is not also sent diagnostics
        checked = ls.check(params.text_document.uri)
        items = diagnostics(checked, ls.codec) if checked is not None else []
        return lsp.RelatedFullDocumentDiagnosticReport(items=items)

    @server.feature(
        lsp.TEXT_DOCUMENT_CODE_ACTION,
        lsp.CodeActionOptions(code_action_kinds=[lsp.CodeActionKind.QuickFix, FIX_ALL], resolve_provider=False),
    )
    def code_actions(ls: MemlintServer, params: lsp.CodeActionParams):
        uri = params.text_document.uri
        checked = ls.check(uri)
        if checked is None:
            return []
        only = params.context.only
        wanted = (lambda kind: any(kind == k or kind.startswith(f"{k}.") for k in only)) if only else (lambda k: True)
        codec = ls.codec
        version = checked.version
        actions = []
        if wanted(lsp.CodeActionKind.QuickFix):
            for f in checked.findings:
                if not _overlaps(finding_range(checked, codec, f), params.range):
                    continue
                diag = diagnostic(checked, codec, f)
                if f.fix is not None and fix.applicable(f, checked.config.unsafe_fixes):
                    label = f.fix.message if f.fix.applicability == SAFE else f"{f.fix.message} (unsafe)"
                    new = fix_one(checked.text, f)
                    if new is not None:
                        actions.append(
                            _action(
                                f"memlint: {label}",
                                lsp.CodeActionKind.QuickFix,
                                uri,
                                version,
                                [text_edit(checked.text, new, codec)],
                                [diag],
                                preferred=f.fix.applicability == SAFE,
                            )
                        )
                edit = noqa_edit(checked.text, f.line, f.code, codec) if f.code != PARSE_ERROR else None
                if edit is not None:
                    actions.append(
                        _action(
                            f"memlint: suppress {f.code} on this line (# noqa: {f.code})",
                            lsp.CodeActionKind.QuickFix,
                            uri,
                            version,
                            [edit],
                            [diag],
                        )
                    )
        if only and any(FIX_ALL == k or FIX_ALL.startswith(f"{k}.") for k in only):
            changes = fix_all_notebook(ls, checked) if checked.notebook else fix_all(uri, checked, codec)
            if changes:
                actions.append(
                    lsp.CodeAction(
                        "memlint: fix all safe fixes", kind=FIX_ALL, edit=lsp.WorkspaceEdit(document_changes=changes)
                    )
                )
        return actions

    @server.feature(lsp.TEXT_DOCUMENT_HOVER)
    def hover(ls: MemlintServer, params: lsp.HoverParams):
        checked = ls.check(params.text_document.uri)
        if checked is None:
            return None
        codec = ls.codec
        lines = split_lines(checked.text)
        line = params.position.line
        code = noqa_code_at(lines, line, params.position, codec)
        span = None
        if code is None:
            for f in checked.findings:
                r = finding_range(checked, codec, f)
                if _contains(r, params.position):
                    code, span = f.code, r
                    break
        doc = catalog.load().get(code) if code else None
        if doc is None:
            return None
        return lsp.Hover(lsp.MarkupContent(lsp.MarkupKind.Markdown, doc.explain()), span)

    return server


def _overlaps(a: lsp.Range, b: lsp.Range) -> bool:
    def key(p: lsp.Position):
        return (p.line, p.character)

    return key(a.start) <= key(b.end) and key(b.start) <= key(a.end)


def _contains(r: lsp.Range, p: lsp.Position) -> bool:
    return (r.start.line, r.start.character) <= (p.line, p.character) <= (r.end.line, r.end.character)


def _action(title, kind, uri, version, edits, diags, preferred=False) -> lsp.CodeAction:
    document = lsp.OptionalVersionedTextDocumentIdentifier(uri, version)
    return lsp.CodeAction(
        title,
        kind=kind,
        diagnostics=diags or None,
        is_preferred=preferred or None,
        edit=lsp.WorkspaceEdit(document_changes=[lsp.TextDocumentEdit(document, edits)]),
    )


def fix_one(text: str, f: Finding) -> Optional[str]:
    """The text with this one finding's fix applied, or None where it would not parse."""
    new, applied = fix.apply_edits(text, ((0, e) for e in f.fix.edits), fix.newline_of(text))
    return new if applied and fix.parses(new) else None


def fix_all(uri: str, checked: Checked, codec: PositionCodec) -> list:
    """What ``memlint --fix`` would write for this text (every safe fix, in the same rounds), as an edit."""
    path = Path(to_fs_path(uri) or "")
    safe = [f for f in checked.findings if fix.applicable(f, False)]
    if not safe:
        return []
    new, _, _ = fix.fix_text(files.display_path(path), checked.text, checked.config, False, safe, path)
    if new == checked.text:
        return []
    document = lsp.OptionalVersionedTextDocumentIdentifier(uri, checked.version)
    return [lsp.TextDocumentEdit(document, [text_edit(checked.text, new, codec)])]


def fix_all_notebook(ls: MemlintServer, checked: Checked) -> list:
    """Every safe fix of a notebook, as ``memlint --fix`` applies them to its file: an edit per changed cell."""
    import json

    from memlint import notebook

    notebook_doc = ls.workspace.get_notebook_document(notebook_uri=checked.notebook)
    if notebook_doc is None:
        return []
    uris = [cell.document for cell in notebook_doc.cells]
    docs = [ls.workspace.text_documents.get(u) for u in uris]
    cells = []
    for cell, d in zip(notebook_doc.cells, docs):
        if d is not None and cell.kind == lsp.NotebookCellKind.Code:
            cells.append(
                {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": d.source}
            )
        else:
            cells.append({"cell_type": "markdown", "metadata": {}, "source": d.source if d is not None else ""})
    data = json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}).encode()
    findings = [f for u in uris if u in ls.checked for f in ls.checked[u].findings]
    safe = [f for f in findings if fix.applicable(f, False)]
    if not safe:
        return []
    path = Path(to_fs_path(checked.notebook) or "")
    new, _, _, _ = fix.fix_notebook(files.display_path(path), data, checked.config, False, safe)
    fixed = notebook.Notebook.parse(new, files.display_path(path))
    changes = []
    for cell, uri, d in zip(fixed.cells, uris, docs):
        if d is not None and cell.source != d.source:
            document = lsp.OptionalVersionedTextDocumentIdentifier(uri, d.version)
            changes.append(lsp.TextDocumentEdit(document, [text_edit(d.source, cell.source, ls.codec)]))
    return changes


def noqa_edit(text: str, line: int, code: str, codec: PositionCodec) -> Optional[lsp.TextEdit]:
    new = suppress.add_noqa(text, {line: [code]})
    return text_edit(text, new, codec) if new != text else None


_NOQA_CODE = re.compile(r"MEM\d{3}")


def noqa_code_at(lines: list, line: int, position: lsp.Position, codec: PositionCodec) -> Optional[str]:
    """The rule code under the cursor inside a ``# noqa: ...`` or ``# memlint: ignore[...]`` comment."""
    if line >= len(lines):
        return None
    text = lines[line]
    comment = text.find("#")
    if comment < 0:
        return None
    column = codec.position_from_client_units(lines, position).character
    for m in _NOQA_CODE.finditer(text, comment):
        if m.start() <= column <= m.end():
            return m.group()
    return None


def main() -> None:
    build().start_io()
