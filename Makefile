# The two commands of the README. Both create .venv, install what they need and build the
# release extension into it; nothing outside the folder is touched.
SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -c
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
# What the demo runs: numpy (the only runtime dependency), tqdm for its progress bar.
DEMO_DEPS := numpy tqdm "maturin>=1.5,<2"
# The optional extras the tests exercise: every one is installed, so no test is skipped in CI
# for a missing package.
TEST_DEPS := pytest pytest-timeout hypothesis joblib scipy scikit-learn pyarrow \
             "dask[array]" distributed "zarr>=3.1.3" ray \
             pandas polars geopandas "shapely>=2" movingpandas geoarrow-pyarrow matplotlib mypy \
             nbclient nbformat ipykernel
DEMO_STAMP := $(VENV)/.demo-deps
TEST_STAMP := $(VENV)/.test-deps
# cargo test builds the crate without the python feature. In a target folder of its own it
# never invalidates the extension's build, so alternating demo and test rebuilds nothing.
RUST_TEST_TARGET := target/rust-test

.PHONY: demo test build rust-test py-test bench notebook clean

$(DEMO_STAMP): Makefile
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q $(DEMO_DEPS)
	touch $@

$(TEST_STAMP): $(DEMO_STAMP)
	$(PY) -m pip install -q $(TEST_DEPS)
	touch $@

# pip names every extra's requirement it skips ("Ignoring ...: markers ... don't match"):
# noise for a development install, filtered out.
build: $(DEMO_STAMP)
	VIRTUAL_ENV=$(abspath $(VENV)) PATH=$(abspath $(VENV))/bin:$$PATH \
		$(VENV)/bin/maturin develop --release -q 2>&1 | { grep -v '^Ignoring .*: markers' || true; }

demo: build
	$(PY) examples/demo.py

rust-test:
	CARGO_TARGET_DIR=$(RUST_TEST_TARGET) cargo test --release -q

# The API's types as a user's code sees them (py.typed, _core.pyi), then its behaviour.
py-test: build $(TEST_STAMP)
	$(PY) -m mypy --strict examples tests/test_typed_api.py
	$(PY) -m pytest -q --timeout=600 tests

test: build rust-test py-test

# The tour (examples/tour.ipynb) in JupyterLab, installed into .venv on first use.
notebook: build $(TEST_STAMP)
	$(PY) -m pip install -q jupyterlab
	$(VENV)/bin/jupyter lab examples/tour.ipynb

# traj-dist-rs and dtaidistance are the baselines the benchmarks compare against; only they need
# them. The tables of benchmarks/README.md are then written from the results.
bench: build $(TEST_STAMP)
	$(PY) -m pip install -q "traj-dist-rs==1.0.0rc5" dtaidistance
	$(PY) benchmarks/kernels.py
	$(PY) benchmarks/routes.py
	$(PY) benchmarks/queries.py --json benchmarks/results/queries.json
	$(PY) benchmarks/queries.py --repeat 1 --only dtw --sf --json benchmarks/results/queries_sf.json
	$(PY) benchmarks/distributed.py --json benchmarks/results/distributed.json
	$(PY) benchmarks/tables.py

clean:
	rm -rf $(VENV) target
