# QC Assist — every command the README gives is a target here.
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
QCA := $(VENV)/bin/qcassist
export HF_HUB_OFFLINE := 1
export GRADIO_ANALYTICS_ENABLED := False

.PHONY: setup run ingest test test-unit test-security lint calibrate eval bench train-reader train-injection clean

# torch first, pinned to the CPU build on this machine's disk; then the project and its dev tools.
$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet torch==2.13.0
	$(PIP) install --quiet -e '.[dev]'
	touch $@

# The tests also exercise the llama.cpp path, so they need the local-llm extra. llama-cpp-python compiles
# llama.cpp from source, portably: no native CPU flags (a build tuned to the building CPU crashed with SIGSEGV on
# an AVX-512 Xeon), AVX2/FMA/F16C as the x86-64 baseline. --no-cache-dir and --force-reinstall so neither pip's
# wheel cache nor an earlier build in the venv, made with other flags, is ever reused.
LLAMA_CPP := llama-cpp-python[server]==0.3.36
LLAMA_CMAKE_ARGS := -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_AVX512=OFF
$(VENV)/.installed-llm: $(VENV)/.installed
	CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" FORCE_CMAKE=1 $(PIP) install --quiet --no-cache-dir --force-reinstall \
		--no-deps --no-binary llama-cpp-python '$(LLAMA_CPP)'
	$(PIP) install --quiet -e '.[dev,local-llm]'
	touch $@

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT_INSTALL := $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq

# The Chinese font every PDF embeds and every chart draws with (assistant/fonts.py): the app needs it too.
CJK_FONT := /usr/share/fonts/truetype/wqy/wqy-microhei.ttc
$(CJK_FONT):
	$(SUDO) apt-get update -qq
	$(APT_INSTALL) fonts-wqy-microhei

# Browser tests drive Debian's Chromium through Playwright; no tool downloads a browser of its own. An emoji font
# so the feedback buttons render in the screenshots; poppler-utils (pdftoppm, pdffonts) to check exported PDFs.
/usr/bin/chromium:
	$(SUDO) apt-get update -qq
	$(APT_INSTALL) chromium chromium-driver fonts-noto-color-emoji poppler-utils

# The app shows a cited PDF page with pdftoppm and finds the passage on it with pdftotext (poppler-utils).
/usr/bin/pdftoppm:
	$(SUDO) apt-get update -qq
	$(APT_INSTALL) poppler-utils

setup: $(VENV)/.installed $(CJK_FONT) /usr/bin/pdftoppm

ingest: setup
	$(QCA) ingest corpus/

run: ingest
	$(PY) app.py

test: $(VENV)/.installed-llm $(CJK_FONT) /usr/bin/chromium /usr/bin/pdftoppm
	$(VENV)/bin/ruff check .
	$(VENV)/bin/pytest

# Everything not marked integration (no real model, servers or browser): the quick loop while changing code.
test-unit: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/pytest -m "not integration"

# Hostile and careless input (tests marked security; `make test` runs them too): bombs, huge files, kills
# mid-ingest, planted instructions, sign-in guessing, bad arguments.
test-security: setup
	$(VENV)/bin/pytest -m security

lint: setup
	$(VENV)/bin/ruff check .

calibrate: ingest
	$(PY) -m evals.calibrate

# The reader (assistant/data/reader.json): fitted on the natural train split, chosen on dev; a few minutes.
train-reader: setup
	$(PY) -m evals.train_reader

# The learned half of the injection detector (assistant/data/injection.json); seconds.
train-injection: setup
	$(PY) -m evals.train_injection

eval: ingest
	$(QCA) eval

bench: setup
	$(QCA) bench

clean:
	rm -rf $(VENV) data reports *.egg-info
