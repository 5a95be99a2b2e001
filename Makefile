# The two commands of the README. Both create .venv, install what the project needs and build
# the release extension into it; nothing outside the folder is touched.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.deps-installed
# Optional extras the tests exercise when present (numpy is the only runtime dependency).
DEPS   := numpy pytest pytest-timeout hypothesis joblib tqdm scipy scikit-learn pyarrow \
          "dask[array]" distributed "zarr>=3.1.3" ray "maturin>=1.5,<2"

.PHONY: demo test build rust-test py-test bench clean

$(STAMP): Makefile
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q $(DEPS)
	touch $(STAMP)

build: $(STAMP)
	VIRTUAL_ENV=$(abspath $(VENV)) PATH=$(abspath $(VENV))/bin:$$PATH \
		$(VENV)/bin/maturin develop --release -q

demo: build
	$(PY) examples/demo.py

rust-test:
	cargo test --release -q

py-test: build
	$(PY) -m pytest -q --timeout=600 tests

test: build rust-test py-test

# traj-dist-rs and dtaidistance are the baselines the benchmarks compare against; only they need them.
bench: build
	$(PY) -m pip install -q "traj-dist-rs==1.0.0rc5" dtaidistance
	$(PY) benchmarks/kernels.py
	$(PY) benchmarks/routes.py
	$(PY) benchmarks/queries.py --json benchmarks/results/queries.json
	$(PY) benchmarks/distributed.py --json benchmarks/results/distributed.json

clean:
	rm -rf $(VENV) target
