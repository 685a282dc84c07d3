# micromoments — every target creates the venv and installs what it needs.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
MM     := $(VENV)/bin/micromoments
PYTEST_ARGS ?=
BENCH_ARGS  ?= --repeats 3

.PHONY: help install test test-fast run broker broker-stop broker-status kafka-jars schemas clean pretrained bench-detector bench soak

help:  ## list the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

$(VENV)/.installed: pyproject.toml setup.py detectors/_hotloops.pyx
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python >= 3.11 is required (set PYTHON=...)")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $@

install: $(VENV)/.installed  ## create .venv and install the project with its dev extras

kafka-jars: install  ## resolve the Apache Kafka server jars with Maven (once)
	$(MM) broker jars

test: install kafka-jars  ## run the whole test suite (real Kafka broker, chDB), two processes
	$(PY) -m pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

test-fast: install  ## the suite without the slow fault-injection tests
	$(PY) -m pytest -m "not slow" $(PYTEST_ARGS)

run: install kafka-jars  ## the main job: broker, worker, a simulated shop, moments printed live (Ctrl-C stops)
	bash deploy/run-local.sh

broker: install kafka-jars  ## start the local Kafka broker (KRaft, single node)
	$(MM) broker start

broker-stop: install  ## stop the local Kafka broker
	$(MM) broker stop

broker-status: install
	$(MM) broker status

schemas: install  ## export JSON Schemas of every message into docs/schemas
	$(MM) schemas export docs/schemas

clean:  ## remove the venv and local state (broker data, chDB, checkpoints)
	-$(MM) broker stop
	rm -rf $(VENV) .micromoments

pretrained: install  ## retrain the shipped model: every simulated shop (2,000 sessions each) + the first half of the shared sample
	$(MM) train --shops all --shop-sessions 2000 --shop-seed 1001 --first-half \
	  --events ../shared/samples/electronics-en/events.jsonl --truth ../shared/samples/electronics-en/truth.jsonl

bench-detector: install  ## micro-benchmark: detector cost per event (features + predict)
	$(PY) -m tools.bench.detector

bench: install kafka-jars  ## all benchmark parts, 3 repeats (bench/results.json; BENCH_ARGS="--only latency" for one part)
	$(MM) broker start
	MOMENTS_KAFKA_BOOTSTRAP=$$($(MM) broker status | sed -n 's/^broker running at \([^ ]*\).*/\1/p') $(MM) bench $(BENCH_ARGS)

.PHONY: compose-up compose-down
COMPOSE ?= docker compose

compose-up:  ## the whole stack in Docker: Kafka, topics, worker, sink, ClickHouse, Prometheus, Grafana (docs/DEPLOY.md)
	$(COMPOSE) -f deploy/compose.yaml up -d --build

compose-down:  ## stop the Docker stack (volumes are kept; add -v by hand to drop them)
	$(COMPOSE) -f deploy/compose.yaml down

SOAK_ARGS ?= --minutes 30 --rate 1000 --out docs/bench/soak-30min.json

soak: install kafka-jars  ## 30 min of worker, sink and serve at 1,000 ev/s with faults (own broker); prints the account
	$(MM) soak $(SOAK_ARGS)
