"""The KEEL .dat reader on hand-written files."""

import gzip

import numpy as np
import pandas as pd
import pytest

from equipoise.datasets import parse_keel, read_keel
from equipoise.exceptions import InvalidInputError

# Odd spacing on purpose: tabs, spaces around commas and braces, a glued brace, upper-case
# keywords, a quoted name, a comment, blank lines, '@inputs' in a different order from the
# attributes, and missing values written '?' and '<null>'.
TEXT = """@relation   toy-problem
@attribute colour{red,  green , blue}
@ATTRIBUTE 'petal width' real [0.0, 9.5]
@attribute rings integer [1, 29]
@attribute Class { positive,negative }
% a comment line
@inputs rings, colour ,'petal width'
@outputs Class
@data

red ,  1.5,3, negative
 blue,2.0 ,  7,positive
green,\t?,4 ,negative
<null>, 5.0E-1, 9,negative
"""


def test_parses_header_values_and_kinds():
    data = parse_keel(TEXT)
    assert data.relation == "toy-problem"
    assert [a.name for a in data.attributes] == ["colour", "petal width", "rings", "Class"]
    assert [a.kind for a in data.attributes] == ["nominal", "real", "integer", "nominal"]
    assert data.attributes[0].values == ("red", "green", "blue")
    assert data.attributes[3].values == ("positive", "negative")
    assert data.inputs == ("rings", "colour", "petal width")
    assert data.output == "Class"
    # Columns follow @inputs, not the attribute order.
    assert list(data.X.columns) == ["rings", "colour", "petal width"]
    assert data.categorical == ("colour",)


def test_values_dtypes_and_missing():
    data = parse_keel(TEXT)
    X = data.X
    assert isinstance(X["colour"].dtype, pd.CategoricalDtype)
    assert list(X["colour"].cat.categories) == ["red", "green", "blue"]
    assert X["colour"].tolist()[:3] == ["red", "blue", "green"]
    assert pd.isna(X["colour"].iloc[3])
    assert X["rings"].dtype == np.int64 and X["rings"].tolist() == [3, 7, 4, 9]
    assert X["petal width"].dtype == np.float64
    np.testing.assert_array_equal(X["petal width"].to_numpy(), [1.5, 2.0, np.nan, 0.5])
    assert data.y.tolist() == ["negative", "positive", "negative", "negative"]
    assert data.y.name == "Class"


def test_without_inputs_outputs_the_last_attribute_is_the_output():
    text = "@relation r\n@attribute a real\n@attribute b {x,y}\n@attribute c {p,n}\n@data\n1,x,p\n2,y,n\n"
    data = parse_keel(text)
    assert data.inputs == ("a", "b") and data.output == "c"
    assert data.categorical == ("b",)


def test_integer_with_missing_becomes_float():
    text = "@relation r\n@attribute a integer\n@attribute c {p,n}\n@data\n1,p\n?,n\n"
    assert parse_keel(text).X["a"].dtype == np.float64


def test_duplicate_declared_category_counts_once():
    text = "@relation r\n@attribute a {x, y, x}\n@attribute c {p,n}\n@data\nx,p\ny,n\n"
    assert parse_keel(text).attributes[0].values == ("x", "y")


@pytest.mark.parametrize(
    ("text", "match"),
    [
        (
            "@relation r\n@attribute a real\n@attribute c {p,n}\n@data\n1,p,3\n",
            r"line 5: expected 2 comma-separated",
        ),
        (
            "@relation r\n@attribute a real\n@attribute c {p,n}\n@data\nabc,p\n",
            r"line 5: the value 'abc' of the real attribute 'a' is not a number",
        ),
        (
            "@relation r\n@attribute a {x,y}\n@attribute c {p,n}\n@data\nz,p\n",
            r"'z' of the nominal attribute 'a' is not among its declared values \['x', 'y'\]",
        ),
        (
            "@relation r\n@attribute a real\n@attribute c {p,n}\n1,p\n",
            r"line 4: expected a header line",
        ),
        ("@relation r\n@attribute a real\n@attribute c {p,n}\n", r"no '@data' line"),
        ("@relation r\n@attribute a real\n@attribute c {p,n}\n@data\n\n", r"no data rows"),
        ("@relation r\n@attribute a date\n@attribute c {p,n}\n@data\n1,p\n", r"type 'date'"),
        ("@relation r\n@attribute a {x,y\n@attribute c {p,n}\n@data\nx,p\n", r"no closing brace"),
        (
            "@relation r\n@attribute a real\n@attribute c {p,n}\n@outputs d\n@data\n1,p\n",
            r"'d', which no @attribute declares",
        ),
        (
            "@relation r\n@attribute a real\n@attribute c {p,n}\n@data\n1,?\n",
            r"line 5: the output 'c' is missing",
        ),
        ("@relation r\n@attribute c {p,n}\n@data\np\n", r"declares 1 attribute"),
    ],
)
def test_malformed_files_raise_with_line_numbers(text, match):
    with pytest.raises(InvalidInputError, match=match):
        parse_keel(text, source="bad.dat")


def test_read_keel_plain_and_gzipped(tmp_path):
    plain = tmp_path / "toy.dat"
    plain.write_text(TEXT, encoding="latin-1")
    zipped = tmp_path / "toy.dat.gz"
    zipped.write_bytes(gzip.compress(TEXT.encode("latin-1")))
    a, b = read_keel(plain), read_keel(zipped)
    pd.testing.assert_frame_equal(a.X, b.X)
    pd.testing.assert_series_equal(a.y, b.y)
    with pytest.raises(InvalidInputError, match="could not find"):
        read_keel(tmp_path / "missing.dat")
