"""`__version__` comes from Cargo.toml alone; `build_info()` reports the version, the SIMD level
the kernels use and the cores `n_jobs=None` means."""

import importlib.metadata
import os
import re
import subprocess
import sys
from pathlib import Path

import trajarena as ta
from trajarena import _core

CARGO = Path(__file__).resolve().parent.parent / "Cargo.toml"


def cargo_version():
    package = CARGO.read_text().split("[package]", 1)[1].split("\n[", 1)[0]
    return re.search(r'^version\s*=\s*"([^"]+)"', package, flags=re.M).group(1)


def test_version_is_cargos():
    assert ta.__version__ == _core.__version__ == cargo_version()
    # The installed distribution's metadata (maturin reads Cargo.toml too).
    assert importlib.metadata.version("trajarena") == cargo_version()
    pyproject = (CARGO.parent / "pyproject.toml").read_text()
    assert 'dynamic = ["version"]' in pyproject
    assert not re.search(r"^version\s*=", pyproject, flags=re.M)


def test_build_info():
    info = ta.build_info()
    assert {"version", "simd", "cores", "target", "debug"} <= set(info)
    assert info["version"] == ta.__version__
    assert info["simd"] in ("avx512", "avx2", "portable") and info["simd"] == _core.SIMD
    assert isinstance(info["cores"], int) and info["cores"] == _core.available_cores() >= 1
    assert info["debug"] is False  # the tests run the release build
    assert re.fullmatch(r"[a-z0-9_]+-[a-z0-9_]+", info["target"])
    # A fresh dict each call.
    info["simd"] = "x"
    assert ta.build_info()["simd"] == _core.SIMD


def test_build_info_reports_the_simd_cap():
    env = dict(os.environ, TRAJARENA_SIMD="portable")
    out = subprocess.run([sys.executable, "-c", "import trajarena as ta; print(ta.build_info()['simd'])"],
                         env=env, capture_output=True, text=True, timeout=120, check=True)
    assert out.stdout.strip() == "portable"
