"""The current tables of benchmarks/README.md are the ones benchmarks/results/*.json give."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_bench_readme_tables_match_the_results():
    r = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "tables.py"), "--check"],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
