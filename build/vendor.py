"""Copy exactly the runtime files the page loads from node_modules/ into vendor/ (git-ignored).

The page loads everything from its own origin, never a CDN: Pyodide's core, PyScript, WebLLM, wllama
(and its compat build, which wllama would otherwise fetch from jsDelivr), the markdown renderer and
sanitizer, and TodoMVC's stylesheet. Run by `make build`; idempotent.
"""

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


def main():
    if VENDOR.exists():
        shutil.rmtree(VENDOR)
    for src, dst in vendor_files():
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, dst)
    print(f"vendor: {len(vendor_files())} files into {VENDOR.relative_to(ROOT)}/")


if __name__ == "__main__":
    main()
