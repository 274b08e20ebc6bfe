# QC Assist — every command the README gives is a target here.
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
QCA := $(VENV)/bin/qcassist
export HF_HUB_OFFLINE := 1
export GRADIO_ANALYTICS_ENABLED := False

.PHONY: setup run ingest test lint calibrate eval bench clean

# torch first, pinned to the CPU build on this machine's disk; then the project and its dev tools.
$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet torch==2.13.0
	$(PIP) install --quiet -e '.[dev]'
	touch $@

# The tests also exercise the llama.cpp path, so they need the local-llm extra.
$(VENV)/.installed-llm: $(VENV)/.installed
	$(PIP) install --quiet -e '.[dev,local-llm]'
	touch $@

# Browser tests drive Debian's Chromium through Playwright; no tool downloads a browser of its own.
# A small CJK font and an emoji font so Chinese and the feedback buttons render in the screenshots.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
/usr/bin/chromium:
	$(SUDO) apt-get update -qq
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver fonts-wqy-microhei fonts-noto-color-emoji

setup: $(VENV)/.installed

ingest: setup
	$(QCA) ingest corpus/

run: ingest
	$(PY) app.py

test: $(VENV)/.installed-llm /usr/bin/chromium
	$(VENV)/bin/ruff check .
	$(PY) -m pytest

lint: setup
	$(VENV)/bin/ruff check .

calibrate: ingest
	$(PY) -m evals.calibrate

eval: ingest
	$(QCA) eval

bench: setup
	$(QCA) bench

clean:
	rm -rf $(VENV) data reports *.egg-info
