"""examples/tour.ipynb runs top to bottom in a real Jupyter kernel (nbclient), from a folder that
is not the repository's, and shows its pictures."""

from pathlib import Path

import nbformat
from nbclient import NotebookClient

NOTEBOOK = Path(__file__).resolve().parent.parent / "examples" / "tour.ipynb"


def test_the_tour_runs_and_draws(tmp_path):
    nb = nbformat.read(NOTEBOOK, as_version=4)
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code"), "commit it without outputs"
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    pictures = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(pictures) >= 6  # map, dendrogram, heatmap, clusters, neighbours, DBSCAN
    text = "".join(o.get("text", "") + str(o.get("data", {}).get("text/plain", "")) for o in outputs)
    assert "identical to the threads backend: True" in text
    assert "pdist identical: True | knn identical: True" in text and "identical: True" in text
    assert list(tmp_path.iterdir()) == [], "the notebook writes nothing into the folder it runs in"
