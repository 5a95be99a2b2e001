"""Every metric, variant and space the registry lists, as (name, params) for parametrised tests."""

import trajarena as ta


def every_variant(eps_euclidean, eps_spherical=300.0):
    """(name, params) of every metric, variant and space, with eps where the metric needs one."""
    out = []
    for m in ta.metric_info():
        for v in m["variants"]:
            for space in v["spaces"]:
                p = {}
                if v["compat"] is not None:
                    p["compat"] = v["compat"]
                if len(m["spaces"]) > 1:
                    p["space"] = space
                if any(q["name"] == "eps" for q in m["params"]):
                    p["eps"] = eps_spherical if space == "spherical" else eps_euclidean
                out.append((m["name"], p))
    return out


def variant_id(v):
    """A readable pytest id for a name or a params dict."""
    return v if isinstance(v, str) else "-".join(f"{k}={x}" for k, x in v.items())
