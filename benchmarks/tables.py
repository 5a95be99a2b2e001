"""Writes the current tables of benchmarks/README.md from benchmarks/results/*.json: each table
between its markers

    <!-- table: NAME -->
    ...
    <!-- end table: NAME -->

is replaced with one rendered from results/NAME.json, stamped with the date, CPU, cores, SIMD
level and command of that run. `make bench` runs the benchmarks and then this script; the text
around the markers is not touched.

    python benchmarks/tables.py [--check]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from typing import Callable, Dict, List

HERE = os.path.dirname(os.path.abspath(__file__))
README = os.path.join(HERE, "README.md")


def _stamp(d: dict) -> str:
    # Results written before the stamp existed: what they recorded.
    machine = d.get("machine") if isinstance(d.get("machine"), dict) else {}
    s = d.get("stamp") or {**machine, **{k: d[k] for k in ("date", "cpu", "cores", "simd", "command") if k in d}}
    parts = [s.get("date", "date not recorded"), s.get("cpu", "CPU not recorded")]
    if "cores" in s:
        parts.append(f"{s['cores']} cores")
    parts.append(f"SIMD {s['simd']}" if "simd" in s else "SIMD not recorded")
    command = s.get("command")
    return "Measured " + ", ".join(parts) + (f"; `{command}`." if command else ".")


def kernels(d: dict) -> List[str]:
    out = ["| case | metric | space | jobs | ns/cell/core | vs traj-dist-rs | vs dtaidistance |",
           "|---|---|---|---|---|---|---|"]
    for r in d["rows"]:
        def vs(key: str, agrees: str) -> str:
            if key not in r:
                return "-"
            return f"{r[key]:.2f}x" + ("*" if r.get(agrees) is False else "")
        out.append(f"| {r['case']} | {r['metric']} | {r['space']} | {r['n_jobs']} | {r['ns_per_cell_core']:.2f} "
                   f"| {vs('vs_traj_dist_rs', 'traj_dist_rs_agrees')} | {vs('vs_dtaidistance', 'dtaidistance_agrees')} |")
    out += ["", "\"vs\" is the other library's time over ours (above 1: trajarena is faster); `*`: its "
                "numbers differ from ours beyond 1e-9, a different definition."]
    return out


def routes(d: dict) -> List[str]:
    out: List[str] = []
    for name, case in d["cases"].items():
        n_traj, n_pts = name.split("x")
        out += [f"DTW pdist of {n_traj} trajectories of {n_pts} points ({case['pairs']} pairs, "
                f"{case['cells']:,} DP cells); a worker task of the arena routes is {case['payload_bytes']} bytes.",
                "", "| route | s | speed-up |", "|---|---|---|"]
        out += [f"| {r['route']} | {r['seconds']:.5f} | {r['speedup']:.1f}x |" for r in case["routes"]]
        out.append("")
    return out[:-1]


def queries(d: dict) -> List[str]:
    out = ["| data | metric | query | query s | pdist + select s | speed-up | identical | pairs settled by |",
           "|---|---|---|---|---|---|---|---|"]
    parts = ("cheap", "groups", "points", "blocks", "reused", "abandoned", "computed")
    for r in d["rows"]:
        params = " " + json.dumps(r["params"]) if r.get("params") else ""
        settled = " ".join(f"{p} {100 * r[p]:.1f}%" for p in parts if p in r)
        out.append(f"| {r['case']} | {r['metric']}{params} | {r['query']} | {r['query_s']:.3f} | {r['full_s']:.3f} "
                   f"| {r['speedup']:.1f}x | {r['identical']} | {settled} |")
    return out


def distributed(d: dict) -> List[str]:
    out = [f"{d['n']:,} San Francisco-like trips, {d['pairs']:,} pairs, {d['cells_per_pair']:.0f} DP cells per pair.",
           "", "| call | engine | output | s | pairs/s | vs threads | client RssAnon MB (peak) |",
           "|---|---|---|---|---|---|---|"]
    for r in d["rows"]:
        out.append(f"| {r.get('call', 'pdist')} | {r['engine']} | {r['output']} | {r['seconds']:.2f} "
                   f"| {r['pairs_per_s'] / 1e6:.1f} M | {r['ratio']:.2f}x | {r['client_rss_anon_mb']:.0f} |")
    tasks = ", ".join(f"{k} {v * 1e3:.2f} ms" for k, v in d.get("task_seconds", {}).items())
    if tasks:
        out += ["", f"Per-task cost of each engine (empty ranges): {tasks}."]
    return out


TABLES: Dict[str, Callable[[dict], List[str]]] = {
    "kernels": kernels, "routes": routes, "queries": queries, "queries_sf": queries,
    "distributed": distributed,
}


def render(name: str) -> str:
    with open(os.path.join(HERE, "results", f"{name}.json")) as f:
        d = json.load(f)
    lines = [_stamp(d), ""] + TABLES[name](d)
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true", help="fail if README.md is not up to date")
    args = ap.parse_args()
    with open(README) as f:
        text = f.read()

    def replace(m: "re.Match[str]") -> str:
        name = m.group(1)
        if name not in TABLES:
            raise SystemExit(f"benchmarks/README.md: no renderer for table {name!r}")
        return f"<!-- table: {name} -->\n{render(name)}\n<!-- end table: {name} -->"

    new = re.sub(r"<!-- table: (\w+) -->\n(?:.*?\n)?<!-- end table: \1 -->", replace, text, flags=re.S)
    if args.check:
        if new != text:
            print("benchmarks/README.md is not what benchmarks/results/*.json give: run "
                  "python benchmarks/tables.py", file=sys.stderr)
            return 1
        return 0
    with open(README, "w") as f:
        f.write(new)
    found = re.findall(r"<!-- table: (\w+) -->", new)
    print(f"benchmarks/README.md: {len(found)} tables written ({', '.join(found)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
