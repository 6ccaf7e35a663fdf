"""Copy exactly the runtime files the page loads from node_modules/ into vendor/ (git-ignored).

The page loads everything from its own origin, never a CDN: Pyodide's core, PyScript, WebLLM, wllama
(and its compat build, which wllama would otherwise fetch from jsDelivr), the markdown renderer and
sanitizer, and TodoMVC's stylesheet. Run by `make build`; idempotent.
"""

import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE_MODULES = ROOT / "node_modules"
VENDOR = ROOT / "vendor"

# destination folder under vendor/ -> (package folder, files or glob patterns)
FILES = {
    "pyodide": (
        "pyodide",
        ["pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip", "pyodide-lock.json"],
    ),
    # PyScript's core.js imports these chunks by relative URL at start-up (py-editor, py-game and
    # py-terminal too, though this page uses none of them); CodeMirror and xterm are left out.
    "pyscript": ("@pyscript/core/dist", ["core.js", "core.css", "core-*.js", "deprecations-manager-*.js",
                                          "donkey-*.js", "error-*.js", "py-editor-*.js", "py-game-*.js",
                                          "py-terminal-*.js", "toml-*.js"]),
    "web-llm": ("@mlc-ai/web-llm/lib", ["index.js"]),
    # wllama's index.js carries its workers' code and starts them from Blob URLs; it fetches only the
    # wasm given to `new Wllama({default})`. Browsers without JSPI or Memory64 (Safari, older ones)
    # get the compat build instead: its worker script and wasm, passed to `setCompat()`.
    "wllama": ("@wllama/wllama/esm", ["index.js", "wasm/wllama.wasm"]),
    "wllama-compat": ("@wllama/wllama-compat/wasm", ["wllama.js", "wllama.wasm"]),
    "marked": ("marked/lib", ["marked.esm.js"]),
    "dompurify": ("dompurify/dist", ["purify.es.mjs"]),
    "todomvc-app-css": ("todomvc-app-css", ["index.css"]),
}


def vendor_files():
    """(source, destination) pairs for every vendored file."""
    pairs = []
    for folder, (package, patterns) in FILES.items():
        source_dir = NODE_MODULES / package
        for pattern in patterns:
            matches = sorted(source_dir.glob(pattern))
            if not matches:
                sys.exit(f"vendor: {package}/{pattern} not found; run `npm ci` first")
            pairs.extend((src, VENDOR / folder / src.name) for src in matches)
    return pairs


# The last `//# sourceMappingURL=...` comment of a script (the one browsers read).
SOURCE_MAP_COMMENT = re.compile(rb"\n?//# sourceMappingURL=(\S+)\s*$")


def ship_source_map(src, dst):
    """Copy the source map a vendored script names, or drop the comment if the package has none.

    Browsers' tools (and Lighthouse) fetch the map a script names; a comment pointing at a missing
    file is a 404. build/precache.py leaves `.map` files out of the service worker's cache.
    """
    if dst.suffix not in (".js", ".mjs"):
        return
    text = dst.read_bytes()
    found = SOURCE_MAP_COMMENT.search(text)
    if found is None:
        return
    name = found.group(1).decode()
    source_map = src.parent / name
    if "/" not in name and ":" not in name and source_map.is_file():
        shutil.copy2(source_map, dst.parent / name)
    else:
        dst.write_bytes(text[: found.start()] + b"\n")


def main():
    if VENDOR.exists():
        shutil.rmtree(VENDOR)
    for src, dst in vendor_files():
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, dst)
        ship_source_map(src, dst)
    print(f"vendor: {len(vendor_files())} files into {VENDOR.relative_to(ROOT)}/")


if __name__ == "__main__":
    main()
