"""What a run exports: its metric history as one table (CSV download), images as PNG."""

from __future__ import annotations

import io
from typing import Any

import numpy as np
import pandas as pd


def png_bytes(image: np.ndarray) -> bytes:
    """A uint8 (H, W) or (H, W, 3) array as lossless PNG."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(np.asarray(image, dtype=np.uint8)).save(buffer, format="PNG")
    return buffer.getvalue()


def history_table(snapshot: Any) -> pd.DataFrame:
    """One row per recorded iteration: the losses (every iteration, decimated), the frame metrics
    (D's scores, V and the lab's distances) and, where the lab has them, the quality scores;
    a cell is empty where that series has no value at that iteration."""
    table = None
    for series in (snapshot.losses, snapshot.evals, getattr(snapshot, "quality", None)):
        if series is None or len(series["iteration"]) == 0:
            continue
        frame = pd.DataFrame({name: values.astype(float) for name, values in series.items()})
        frame = frame.drop_duplicates("iteration", keep="last")
        table = frame if table is None else table.merge(frame, on="iteration", how="outer")
    if table is None:
        return pd.DataFrame({"iteration": []})
    table["iteration"] = table["iteration"].astype(int)
    return table.sort_values("iteration").reset_index(drop=True)


def history_csv(snapshot: Any) -> bytes:
    return history_table(snapshot).to_csv(index=False, float_format="%.6g").encode()
