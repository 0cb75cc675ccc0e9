"""Uploaded points (the 2-D lab's custom data) parsed as data: CSV bytes in, an (n, 2) array out,
or InvalidValue with a message for the user. Nothing in the file is evaluated."""

from __future__ import annotations

import csv
import io
import math

import numpy as np

from ..config import InvalidValue

MAX_POINTS = 100_000  # rows of an uploaded CSV
MIN_POINTS = 10
MAX_CSV_BYTES = 10 * 1024 * 1024  # matches server.maxUploadSize in .streamlit/config.toml
MAX_COORDINATE = 1e6
MAX_COLUMNS = 100  # x and y plus some other columns


def parse_points_csv(data: bytes) -> np.ndarray:
    """(n, 2) float64 points from CSV bytes; InvalidValue with a message for the user otherwise.

    The first two columns whose every value is a number are used; one header row is allowed.
    """
    if len(data) > MAX_CSV_BYTES:
        raise InvalidValue(f"The file is larger than {MAX_CSV_BYTES // 2**20} MB.")
    if b"\x00" in data:
        raise InvalidValue("The file is not text: upload a CSV file of numbers.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidValue("The file is not UTF-8 text: upload a CSV file of numbers.") from None
    text = text.replace("\r\n", "\n").replace("\r", "\n")  # Windows and old Mac line ends
    try:
        rows = [row for row in csv.reader(io.StringIO(text), _dialect(text)) if any(cell.strip() for cell in row)]
    except csv.Error as err:
        raise InvalidValue(f"The file is not a readable CSV ({err}).") from None
    if not rows:
        raise InvalidValue("The file is empty.")
    if rows and not _numeric_row(rows[0]) and len(rows) > 1:
        rows = rows[1:]  # a header row
    if len(rows) > MAX_POINTS:
        raise InvalidValue(f"The file has {len(rows):,} rows; at most {MAX_POINTS:,} are allowed.")
    width = max(len(row) for row in rows)
    if width > MAX_COLUMNS:  # also bounds the column scan below (rows × columns)
        raise InvalidValue(f"A row has {width:,} columns; at most {MAX_COLUMNS} are allowed.")
    columns = [_numeric_column([row[j] if j < len(row) else "" for row in rows]) for j in range(width)]
    numeric = [col for col in columns if col is not None]
    if len(numeric) < 2:
        raise InvalidValue("The file needs at least two columns of numbers (x and y), one point per row.")
    return check_points(np.column_stack(numeric[:2]))


def check_points(points: np.ndarray) -> np.ndarray:
    """(n, 2) points as data to train on, whatever their source (a CSV, points drawn on the plane,
    a saved state): finite, within range, enough of them, spread in both directions; InvalidValue
    with a message for the user otherwise."""
    points = np.asarray(points, dtype=float)
    if points.ndim != 2 or points.shape[1] != 2:
        raise InvalidValue("Points must be pairs of x and y.")
    if len(points) > MAX_POINTS:
        raise InvalidValue(f"There are {len(points):,} points; at most {MAX_POINTS:,} are allowed.")
    bad = ~np.isfinite(points).all(axis=1)
    if bad.any():
        raise InvalidValue(f"Row {int(np.argmax(bad)) + 1} has a missing, NaN or infinite value.")
    if len(points) < MIN_POINTS:
        raise InvalidValue(f"There are {len(points)} points; at least {MIN_POINTS} are needed.")
    if np.abs(points).max() > MAX_COORDINATE:
        raise InvalidValue(f"Coordinates must lie within ±{MAX_COORDINATE:g}.")
    if np.linalg.matrix_rank(points - points.mean(0), tol=1e-9 * (1 + np.abs(points).max())) < 2:
        raise InvalidValue("The points lie on a line or a single spot; they must spread in both directions.")
    return points


def _dialect(text: str):
    try:
        return csv.Sniffer().sniff(text[:4096], delimiters=",;\t ")
    except csv.Error:
        return csv.excel


def _to_float(cell: str) -> float | None:
    try:
        return float(cell.strip())
    except ValueError:
        return None


def _numeric_row(row: list[str]) -> bool:
    return sum(_to_float(cell) is not None for cell in row) >= 2


def _numeric_column(cells: list[str]) -> np.ndarray | None:
    """The column as floats if every cell is a number (NaN/inf included, reported later), else None.
    A column of numbers with a few blanks counts as numeric, so blanks are reported as missing."""
    values = [_to_float(cell) if cell.strip() else math.nan for cell in cells]
    if any(v is None for v in values) or all(math.isnan(v) for v in values):
        return None
    return np.asarray(values, dtype=float)
