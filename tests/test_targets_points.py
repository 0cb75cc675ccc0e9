"""Uploaded points parsed as data: a header and extra columns are fine; bad files get a clear message."""

import pytest

from playground.config import InvalidValue
from playground.targets.points import MAX_POINTS, parse_points_csv


GOOD = b"x,y\n" + b"\n".join(f"{i % 7},{(i * 3) % 11}".encode() for i in range(50))


def test_csv_with_header_and_extra_columns_parses():
    """A header row, extra text columns and other delimiters are fine: the first two numeric columns count."""
    points = parse_points_csv(GOOD)
    assert points.shape == (50, 2) and points[3].tolist() == [3.0, 9.0]
    labelled = b"label;x;y\n" + b"\n".join(f"p{i};{i};{i * i % 13}".encode() for i in range(20))
    assert parse_points_csv(labelled)[5].tolist() == [5.0, 12.0]


@pytest.mark.parametrize("data, message", [
    (b"", "empty"),
    (b"\n\n  \n", "empty"),
    (b"x\n" + b"\n".join(str(i).encode() for i in range(30)), "two columns"),
    (b"a,b\n" + b"\n".join(b"u,v" for _ in range(30)), "two columns"),
    (b"x,y\n1,2\n3,nan\n" + b"\n".join(f"{i},{i % 5}".encode() for i in range(30)), "Row 2"),
    (b"x,y\n1,inf\n" + b"\n".join(f"{i},{i % 5}".encode() for i in range(30)), "Row 1"),
    (b"x,y\n1,2\n3,\n" + b"\n".join(f"{i},{i % 5}".encode() for i in range(30)), "missing"),
    (b"1,2\n3,4\n", "at least 10"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not text"),
    (b"\xff\xfe\xfa\xfb" * 10, "not UTF-8"),
    ("\n".join(f"{i},{i}" for i in range(40)).encode(), "line"),
    ("\n".join(f"{i},{i % 3}" for i in range(MAX_POINTS + 1)).encode(), "at most 100,000"),
    (b"x,y\n1e300,1\n" + b"\n".join(f"{i},{i % 5}".encode() for i in range(30)), "within"),
])
def test_bad_csv_gets_a_clear_message(data, message):
    with pytest.raises(InvalidValue, match=message):
        parse_points_csv(data)
