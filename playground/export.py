"""A run's metric history as one table (CSV download), from a snapshot of any lab."""

from __future__ import annotations

from typing import Any

import pandas as pd


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
