"""The language server's responsiveness and memory on real code (a benchmark, not a test).

    python bench/server.py               # pandas' sources from PyPI (downloaded once, as bench/run.py does)
    python bench/server.py --files 300   # serve only the first 300 files for the memory figure

What it measures, with the real server in a child process driven over stdio by pygls' client:

- latency: a ~1,000-line file is opened, then edited 20 times (a statement appended and removed); for each
  change, the time from sending ``didChange`` to receiving its diagnostics, minus the server's debounce delay
  (``memlint.server.DEBOUNCE_SECONDS``). Median and worst. Target: 200 ms on this machine.
- memory: every file of the corpus is opened, its diagnostics awaited, then closed, as an editor session that
  visits the whole project would; then the server's resident memory (VmRSS) and peak (VmHWM). Target: the
  peak under 200 MiB.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from pathlib import Path

from lsprotocol import types as lsp
from pygls.lsp.client import LanguageClient

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import PANDAS, corpus

from memlint.server import DEBOUNCE_SECONDS

ONE_FILE = "pandas/tests/extension/base/methods.py"  # 967 lines


def status(pid: int) -> dict:
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            out[key] = int(value.split()[0]) / 1024  # MiB
    return out


async def bench(root: Path, max_files: int) -> dict:
    client = LanguageClient("bench", "1")
    arrived: dict[str, asyncio.Future] = {}

    @client.feature(lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def published(params: lsp.PublishDiagnosticsParams):
        future = arrived.get(params.uri)
        if future is not None and not future.done():
            future.set_result(time.perf_counter())

    await client.start_io(sys.executable, "-m", "memlint", "server", cwd=str(root))
    await client.initialize_async(
        lsp.InitializeParams(capabilities=lsp.ClientCapabilities(), root_uri=root.as_uri(), process_id=os.getpid())
    )
    client.initialized(lsp.InitializedParams())

    async def diagnostics_after(uri: str, send) -> float:
        arrived[uri] = asyncio.get_running_loop().create_future()
        start = time.perf_counter()
        send()
        return await asyncio.wait_for(arrived[uri], 120) - start

    path = root / ONE_FILE
    uri = path.as_uri()
    text = path.read_text(encoding="utf-8")
    await diagnostics_after(
        uri,
        lambda: client.text_document_did_open(
            lsp.DidOpenTextDocumentParams(lsp.TextDocumentItem(uri, "python", 1, text))
        ),
    )
    latencies = []
    for version in range(2, 22):
        edited = text + ("x = 1\n" if version % 2 else "")
        change = lsp.DidChangeTextDocumentParams(
            lsp.VersionedTextDocumentIdentifier(version, uri), [lsp.TextDocumentContentChangeWholeDocument(edited)]
        )
        seconds = await diagnostics_after(uri, lambda change=change: client.text_document_did_change(change))
        latencies.append(seconds - DEBOUNCE_SECONDS)
    client.text_document_did_close(lsp.DidCloseTextDocumentParams(lsp.TextDocumentIdentifier(uri)))

    paths = sorted(root.rglob("*.py"))[:max_files]
    start = time.perf_counter()
    for p in paths:
        u = p.as_uri()
        item = lsp.TextDocumentItem(u, "python", 1, p.read_text(encoding="utf-8", errors="replace"))
        await diagnostics_after(u, lambda item=item: client.text_document_did_open(lsp.DidOpenTextDocumentParams(item)))
        client.text_document_did_close(lsp.DidCloseTextDocumentParams(lsp.TextDocumentIdentifier(u)))
    served = time.perf_counter() - start
    memory = status(client._server.pid)
    await client.shutdown_async(None)
    client.exit(None)
    await client._server.wait()
    return {
        "lines": text.count("\n"),
        "median_ms": 1000 * statistics.median(latencies),
        "worst_ms": 1000 * max(latencies),
        "files": len(paths),
        "served_s": served,
        **memory,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, default=10**9, help="serve at most this many files (memory figure)")
    args = parser.parse_args()
    root = corpus(PANDAS)
    r = asyncio.run(bench(root, args.files))
    print(
        f"latency after a change ({r['lines']}-line file, debounce {DEBOUNCE_SECONDS * 1000:.0f} ms not counted): "
        f"median {r['median_ms']:.0f} ms, worst {r['worst_ms']:.0f} ms (target 200 ms)"
    )
    print(
        f"memory after serving {r['files']} files of pandas {PANDAS} ({r['served_s']:.0f} s): "
        f"VmRSS {r['VmRSS']:.0f} MiB, peak VmHWM {r['VmHWM']:.0f} MiB (target 200 MiB)"
    )


if __name__ == "__main__":
    main()
