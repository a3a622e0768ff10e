# Two commands do all set-up on a fresh machine with only Python 3.11+:
#   make run    the service on its embedded defaults, with the sample articles
#   make test   lint, types and every test
# uv is bootstrapped from PyPI into .tools/ and builds .venv/ from uv.lock.

PYTHON ?= python3
UV_VERSION := 0.13.9
UV := .tools/bin/uv
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := .venv

.PHONY: venv run test lint typecheck unit integration bench bench-extraction bench-classifier bench-fetch bench-transport bench-e2e bench-incidents clean

$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

venv: $(UV)
	$(UV) sync --locked --python $(PYTHON) --quiet

run: venv
	.venv/bin/newsingest run --with-samples

test: venv lint typecheck
	.venv/bin/pytest

lint: venv
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

typecheck: venv
	.venv/bin/mypy

unit: venv
	.venv/bin/pytest tests/unit

integration: venv
	.venv/bin/pytest tests/integration

QUICK ?=
bench: venv
	.venv/bin/python -m bench $(if $(QUICK),--quick,)

bench-extraction: venv
	.venv/bin/python bench/extraction.py $(if $(QUICK),--quick,)

bench-classifier: venv
	.venv/bin/python bench/classifier.py $(if $(QUICK),--quick,)

bench-fetch: venv
	.venv/bin/python bench/fetch.py $(if $(QUICK),--quick,)

bench-transport: venv
	.venv/bin/python -m bench.transport $(if $(QUICK),--quick,)

bench-e2e: venv
	.venv/bin/python bench/e2e.py $(if $(QUICK),--quick,)

bench-incidents: venv
	.venv/bin/python bench/incidents.py $(if $(QUICK),--quick,)

clean:
	rm -rf .venv .tools .mypy_cache .ruff_cache .pytest_cache
