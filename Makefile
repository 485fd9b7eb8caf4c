# Wrappers for people and CI. Make variables:
#   BUILDER   buildx builder (--builder)
#   TARGETS   space-separated bake targets or groups (--target each)
#   TAG       image tag (--image-tag)
#   REGISTRY  registry and namespace (--registry)
# e.g. make push BUILDER=flowmesh-multiarch TARGETS="gateway router" TAG=1.4.0

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

BUILDER ?=
TARGETS ?=
TAG ?=
REGISTRY ?=

quote = '$(subst ','\'',$(1))'
STACK_ARGS = $(if $(BUILDER),--builder $(call quote,$(BUILDER))) \
	$(foreach target,$(TARGETS),--target $(call quote,$(target))) \
	$(if $(TAG),--image-tag $(call quote,$(TAG))) \
	$(if $(REGISTRY),--registry $(call quote,$(REGISTRY)))

.PHONY: build push test lint

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

build: $(VENV)/.installed
	$(BIN)/invoke stack.build $(STACK_ARGS)

push: $(VENV)/.installed
	$(BIN)/invoke stack.push --force $(STACK_ARGS)

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: lint
	$(BIN)/pytest
