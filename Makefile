# Quick start: `make run` and `make test` (each creates .venv if missing and installs).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
CFG ?= examples/cfg/kamailio.cfg

.PHONY: run test install install-test bench clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-test: $(BIN)/python pyproject.toml
	$(BIN)/pip install -q -e '.[test]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

# The example config as a SIP proxy on udp/tcp 127.0.0.1:5060 (Ctrl-C stops it).
LISTEN ?= -l udp:127.0.0.1:5060 -l tcp:127.0.0.1:5060
run: install
	$(BIN)/cfgvm run -DD -E -f $(CFG) $(LISTEN)

test: install-test
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The in-process benchmarks (bench/relay.py needs root, sipp and kamailio: run it by hand).
bench: install
	$(BIN)/python bench/compile.py
	$(BIN)/python bench/sip_parse.py
	$(BIN)/python bench/vm.py
	$(BIN)/python bench/vm_instructions.py

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
