"""load_table, the Python API's reader, refuses unreadable files with one clear error (the CLI
reads through it too)."""

import pytest

from equipoise.datasets import load_table
from equipoise.exceptions import InvalidInputError


@pytest.mark.parametrize(
    "name, payload, match",
    [
        (
            "latin1.csv",
            "a,label\ncafé,0\nthé,1\n".encode("latin-1"),
            r"not UTF-8 text \(byte 0xe9 on line 2",
        ),
        ("utf16.csv", "a,label\n1,0\n2,1\n".encode("utf-16"), "UTF-16 text"),
        ("quote.csv", b'a,label\n"open,0\n2,1\n', "cannot parse 'quote.csv' as CSV"),
        ("extra.csv", b"a,label\n1,0\n2,1,9\n", "cannot parse 'extra.csv' as CSV"),
        ("bytes.parquet", bytes(range(256)) * 4, "cannot read 'bytes.parquet' as Parquet"),
    ],
)
def test_unreadable_files_give_one_clear_error(tmp_path, name, payload, match):
    if name.endswith(".parquet"):
        pytest.importorskip("pyarrow")
    path = tmp_path / name
    path.write_bytes(payload)
    with pytest.raises(InvalidInputError, match=match):
        load_table(path, "label")
