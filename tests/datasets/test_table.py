"""load_table: type inference, categorical detection and one-line errors."""

import numpy as np
import pandas as pd
import pytest

from equipoise.datasets import columns_with_nan, load_table
from equipoise.exceptions import InvalidInputError, InvalidParameterError


def _frame(n=12):
    return pd.DataFrame(
        {
            "age": np.arange(n) + 20,
            "income": np.linspace(1.0, 2.0, n),
            "city": ["Oslo", "Rome", "Lima"] * (n // 3),
            "member": [True, False] * (n // 2),
            "grade": [1, 2, 3, 1] * (n // 4),
            "label": ["no"] * (n - 3) + ["yes"] * 3,
        }
    )


def _write(tmp_path, frame, name="data.csv"):
    path = tmp_path / name
    if name.endswith((".parquet", ".pq")):
        frame.to_parquet(path)
    else:
        frame.to_csv(path, index=False, sep="\t" if ".tsv" in name else ",")
    return path


@pytest.mark.parametrize("name", ["data.csv", "data.csv.gz", "data.tsv", "data.parquet"])
def test_reads_formats_and_infers_types(tmp_path, name):
    path = _write(tmp_path, _frame(), name)
    X, y = load_table(path, "label")
    assert list(X.columns) == ["age", "income", "city", "member", "grade"]
    assert X["age"].dtype == np.int64 and X["income"].dtype == np.float64
    assert isinstance(X["city"].dtype, pd.CategoricalDtype)
    assert isinstance(X["member"].dtype, pd.CategoricalDtype)  # bool
    assert X["grade"].dtype == np.int64  # low-cardinality ints stay numeric unless asked
    assert y.name == "label" and y.value_counts().to_dict() == {"no": 9, "yes": 3}


def test_user_marks_integer_codes_categorical(tmp_path):
    X, _ = load_table(_write(tmp_path, _frame()), "label", categorical=["grade"])
    assert isinstance(X["grade"].dtype, pd.CategoricalDtype)
    assert sorted(X["grade"].cat.categories) == [1, 2, 3]
    with pytest.raises(
        InvalidParameterError,
        match=r"'categorical' parameter of load_table must name feature columns.*got 'grad'",
    ):
        load_table(_write(tmp_path, _frame()), "label", categorical=["grad"])
    with pytest.raises(InvalidParameterError, match="got 'label'"):
        load_table(_write(tmp_path, _frame()), "label", categorical=["label"])


def test_feature_nan_is_not_an_error_and_is_reported(tmp_path):
    frame = _frame()
    frame.loc[[1, 4], "income"] = np.nan
    frame.loc[2, "city"] = None
    X, _ = load_table(_write(tmp_path, frame), "label")
    assert columns_with_nan(X) == {"income": 2, "city": 1}
    assert columns_with_nan(X.drop(columns=["income", "city"])) == {}
    with pytest.raises(InvalidParameterError, match="expects a pandas DataFrame"):
        columns_with_nan(X.to_numpy())


def _one_line(exc_info):
    message = str(exc_info.value)
    assert "\n" not in message
    return message


def test_missing_file(tmp_path):
    with pytest.raises(InvalidInputError, match=r"could not find the file .*nope\.csv") as info:
        load_table(tmp_path / "nope.csv", "label")
    _one_line(info)


def test_unsupported_suffix(tmp_path):
    path = tmp_path / "data.xlsx"
    path.write_text("x")
    with pytest.raises(
        InvalidInputError, match=r"reads files ending in .csv.*got 'data.xlsx'"
    ) as info:
        load_table(path, "label")
    _one_line(info)


def test_missing_target_lists_columns_and_closest(tmp_path):
    with pytest.raises(
        InvalidInputError,
        match=r"no target column 'Lable'.*columns are \['age', .*'label'\]\. Did you mean 'label'\?",
    ) as info:
        load_table(_write(tmp_path, _frame()), "Lable")
    _one_line(info)


def test_empty_file_and_header_only(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(InvalidInputError, match="empty file 'empty.csv'"):
        load_table(empty, "label")
    header = tmp_path / "header.csv"
    header.write_text("a,label\n")
    with pytest.raises(InvalidInputError, match="header but no rows"):
        load_table(header, "label")


def test_single_class_target(tmp_path):
    frame = _frame().assign(label="no")
    with pytest.raises(
        InvalidInputError, match=r"at least 2 classes.*holds only 'no' \(12 rows\)"
    ) as info:
        load_table(_write(tmp_path, frame), "label")
    _one_line(info)


def test_continuous_target(tmp_path):
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"x": np.arange(500), "price": rng.normal(size=500)})
    with pytest.raises(
        InvalidInputError, match=r"looks continuous \(500 distinct float values"
    ) as info:
        load_table(_write(tmp_path, frame), "price")
    _one_line(info)


def test_integer_valued_float_target_is_fine(tmp_path):
    frame = pd.DataFrame({"x": [1, 2, 3, 4], "y": [0.0, 1.0, 0.0, 0.0]})
    _, y = load_table(_write(tmp_path, frame), "y")
    assert y.tolist() == [0.0, 1.0, 0.0, 0.0]


def test_nan_in_target(tmp_path):
    frame = _frame()
    frame.loc[[3, 7], "label"] = None
    with pytest.raises(
        InvalidInputError, match=r"2 missing value\(s\) in the target column 'label'.*rows \[3, 7\]"
    ) as info:
        load_table(_write(tmp_path, frame), "label")
    _one_line(info)


def test_only_the_target_column(tmp_path):
    with pytest.raises(InvalidInputError, match="no feature columns"):
        load_table(_write(tmp_path, _frame()[["label"]]), "label")


def test_parquet_without_pyarrow_says_how_to_install(tmp_path, monkeypatch):
    path = _write(tmp_path, _frame(), "data.parquet")
    import importlib.util

    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name == "pyarrow" else real_find_spec(name, *a),
    )
    with pytest.raises(ImportError, match=r"pip install 'equipoise\[parquet\]'"):
        load_table(path, "label")
