# memlint: ignore-file[MEM015]  (the tests run the pattern on purpose, to show the miscount is real)

import sys

import numpy as np
import pytest
from helpers import codes, lint


def test_views_and_memmaps_are_reported():
    found = lint("""
        import sys
        import numpy as np
        def f(path):
            data = np.ones((1000, 1000))
            window = data[:500]
            m = np.load(path, mmap_mode="r")
            return (sys.getsizeof(window), sys.getsizeof(data.T), sys.getsizeof(m),
                    sys.getsizeof(np.broadcast_to(data, (3, 1000, 1000))))
        """)
    assert [f.code for f in found] == ["MEM015"] * 4
    window = found[0]
    assert window.estimated_bytes == 8_000_000 and "`window.nbytes`" in window.message  # what it keeps alive
    assert "3.8 MiB" in window.message and "76.3 MiB" in window.message and window.fix is None
    assert "the mapped file" in found[2].message


def test_never_reported():
    assert (
        codes("""
        import sys
        import numpy as np
        def f(arr, items):
            data = np.ones((1000, 1000))
            same = np.asarray(data)           # the same object: it owns its data
            shaped = data.reshape(-1)          # a view only sometimes
            fshaped = np.reshape(data.T, -1)    # the same through the function
            picked = data[[1, 2, 3]]           # advanced indexing copies
            small = np.ones(100)[...]          # a view, but the miscount is 800 bytes
            return (sys.getsizeof(data), sys.getsizeof(same), sys.getsizeof(shaped), sys.getsizeof(picked),
                    sys.getsizeof(small), sys.getsizeof(arr), sys.getsizeof(items), sys.getsizeof(fshaped))
        """)
        == []
    )
    assert codes("import mysys as sys\nimport numpy as np\nsys.getsizeof(np.ones(10**6)[1:])\n") == []


def test_the_miscount_is_real():
    data = np.ones(1_000_000)
    assert sys.getsizeof(data) > data.nbytes
    assert sys.getsizeof(data[:500_000]) < 200 and sys.getsizeof(data.T) < 200
    assert sys.getsizeof(np.asarray(data)) > data.nbytes  # why np.asarray is not reported


def test_the_arrays_a_dataframe_hands_out_are_reported():
    found = lint("""
        import sys
        import numpy as np
        import pandas as pd
        def f(path):
            df = pd.DataFrame(np.random.randn(1000, 4), columns=["A", "B", "C", "D"])
            read = pd.read_csv(path)
            return sys.getsizeof(df.values), sys.getsizeof(read.to_numpy()), sys.getsizeof(df.fillna(0).values)
        """)
    assert [f.line for f in found] == [8, 8, 8] and all("transposed view pandas returns" in f.message for f in found)
    assert all(f.estimated_bytes is None and f.fix is None for f in found)


def test_pandas_objects_that_may_own_their_data_are_never_reported():
    assert (
        codes("""
        import sys
        import numpy as np
        import pandas as pd
        def f(frame, path):
            df = pd.DataFrame(np.random.randn(1000, 4))
            ser = pd.Series(np.arange(1000.0))
            sheets = pd.read_excel(path, sheet_name=None)   # a dict of frames
            return (sys.getsizeof(df), sys.getsizeof(ser.values), sys.getsizeof(ser.to_numpy()),
                    sys.getsizeof(frame.values), sys.getsizeof(df["A"].cat.codes), sys.getsizeof(sheets.values))
        """)
        == []
    )


def test_a_dataframe_s_values_never_owns_its_buffer_whatever_its_dtypes():
    """pandas returns the transpose of its block, or of the copy interleaving several blocks (BlockManager.as_array):
    getsizeof misses the data of a single-dtype frame's view and of a mixed frame's copy alike."""
    pd = pytest.importorskip("pandas")
    frames = [
        pd.DataFrame(np.random.randn(1000, 4)),
        pd.DataFrame({"i": np.arange(1000), "f": np.arange(1000.0)}),  # mixed: .values copies, then transposes
        pd.DataFrame({"s": ["x"] * 1000, "c": pd.Categorical(["a"] * 1000)}),
    ]
    for df in frames:
        for array in (df.values, df.to_numpy(), df.to_numpy(dtype=object, copy=True)):
            assert array.base is not None and sys.getsizeof(array) < 200
    # a categorical column's .values counts its data: why a column's .values is not reported without its dtype
    column = frames[2]["c"].values
    assert sys.getsizeof(column) > 1000


def test_a_small_view_of_a_large_array_reports_what_it_keeps_alive():
    (f,) = lint("""
        import sys
        import numpy as np
        data = np.ones((10_000, 1_000))
        window = data[:10]
        print(sys.getsizeof(window))
        """)
    assert f.estimated_bytes == 80_000_000 and "keeps a 76.3 MiB array alive" in f.message


def test_catalog_example_is_reported_and_its_replacement_is_not():
    from memlint import catalog

    doc = catalog.load()["MEM015"]
    assert "MEM015" in codes(doc.example) and "MEM015" not in codes(doc.use_instead)


# --- a column of a frame made from an ndarray of a NumPy dtype ----------------------------------------------

COLUMNS = """
    import sys
    import numpy as np
    import pandas as pd
    def layout(path, labels):
        df = pd.DataFrame(np.random.randn(1000, 4), columns=["A", "B", "C", "D"])
        ints = pd.DataFrame(data=np.arange(8000, dtype=np.uint8).reshape(2000, 4))
        one = sys.getsizeof(df["A"].values)
        each = {col: sys.getsizeof(df[col].values) for col in df.columns}
        pair = sys.getsizeof(df[["A", "B"]].to_numpy())
        column = ints[0]
        return one, each, pair, sys.getsizeof(column.values)
"""


def test_a_column_of_a_frame_of_one_numpy_dtype_is_a_view_of_its_block():
    found = lint(COLUMNS)
    assert sorted(f.line for f in found) == [8, 9, 10, 12] and all(f.fix is None for f in found)
    columns = [f for f in found if f.line != 10]
    assert all("a view of the frame's block" in f.message for f in columns)
    (pair,) = [f for f in found if f.line == 10]  # a list selection is a frame: its .to_numpy() is the frame's
    assert "transposed view pandas returns" in pair.message


def test_the_columns_miscount_is_real():
    """Checked against pandas itself: each reported array is a view (its getsizeof is the header), and each
    column left alone counts its data (a categorical, strings, a Series of its own, a copy)."""
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame(np.random.randn(1000, 4), columns=["A", "B", "C", "D"])
    ints = pd.DataFrame(data=np.arange(8000, dtype=np.uint8).reshape(2000, 4))
    for array in (df["A"].values, df[["A", "B"]].to_numpy(), ints[0].values, df["B"].to_numpy()):
        assert array.base is not None and sys.getsizeof(array) < 200
    words = pd.DataFrame(np.array([["a", "b"]] * 1000, dtype=object))  # object strings: pandas 3 makes them str
    categories = pd.DataFrame(np.random.randn(1000, 2), dtype="category")
    assert sys.getsizeof(categories[0].values) > 8000
    assert not isinstance(words[0].values, np.ndarray) or words[0].dtype == object
    assert sys.getsizeof(df["A"].to_numpy(copy=True)) > 8000


def test_columns_that_may_own_their_data_or_are_no_numpy_arrays_are_not_reported():
    assert (
        codes("""
        import sys
        import numpy as np
        import pandas as pd
        def f(path):
            words = pd.DataFrame(np.array([["a", "b"]] * 1000, dtype=object))
            categories = pd.DataFrame(np.random.randn(1000, 2), dtype="category")
            read = pd.read_csv(path, usecols=["x"])
            df = pd.DataFrame(np.random.randn(1000, 4))
            series = pd.Series(np.arange(1000.0))
            return (sys.getsizeof(words[0].values), sys.getsizeof(categories[0].values),
                    sys.getsizeof(read["x"].values), sys.getsizeof(df[0].copy().values),
                    sys.getsizeof(df[0].to_numpy(copy=True)), sys.getsizeof(df[0].to_numpy(np.float32)),
                    sys.getsizeof(series.values))
        """)
        == []
    )


def test_a_name_a_comprehension_rebinds_or_reads_later_is_not_the_frame():
    assert (
        codes("""
        import sys
        import numpy as np
        import pandas as pd
        def f(frames):
            df = pd.DataFrame(np.random.randn(1000, 4))
            own = [sys.getsizeof(df[0].values) for df in frames]
            later = (sys.getsizeof(df[0].values) for _ in range(3))
            walrus = [(df := frames[0]), [sys.getsizeof(df[0].values) for _ in range(3)]]
            return own, later, walrus
        """)
        == []
    )


# --- a selection of a frame's columns (or rows) by a list is a DataFrame ------------------------------------

SELECTIONS = """
    import sys
    import numpy as np
    import pandas as pd
    def sizes(path, n):
        df = pd.read_csv(path)
        features = ["a", "b"]
        x = df[["a", "b", "s"]].values
        return (sys.getsizeof(x), sys.getsizeof(df[features].to_numpy()),
                sys.getsizeof(df.dropna()[[c for c in features]].values),
                sys.getsizeof(df[[i % 2 == 0 for i in range(n)]].values),
                sys.getsizeof(np.reshape(df[["a"]].values, (1, -1))[0]))
"""


def test_a_list_selection_of_any_frame_is_a_frame_whose_values_never_own_their_buffer():
    found = lint(SELECTIONS)
    assert sorted(f.line for f in found) == [9, 9, 10, 11, 12] and all(f.fix is None for f in found)
    assert all("transposed view pandas returns" in f.message for f in found if f.line < 12)
    # np.reshape(...)[0]: an int index of a 2-d array is a view, whether np.reshape copied or not
    (row,) = [f for f in found if f.line == 12]
    assert "a view of another array" in row.message


def test_a_list_selection_is_a_frame_checked_against_pandas():
    """pandas' DataFrame.__getitem__ never reads a list as one key: columns by label, or rows by a boolean list,
    a DataFrame either way; its .values / .to_numpy() is a transposed view (of its block, or of the copy that
    interleaves mixed dtypes: an object array here), so getsizeof misses its data. A Series' selection is a Series,
    whose .values may count its data (a categorical's)."""
    import io

    pd = pytest.importorskip("pandas")
    text = "a,b,s\n" + "".join(f"{i},{i / 3},w{i}\n" for i in range(1000))
    df = pd.read_csv(io.StringIO(text), dtype={"b": "category"})
    for key in (["a"], ["a", "b"], ["a", "b", "s"], ["s"], [True, False] * 500, [c for c in "ab"]):
        selection = df[key]
        assert isinstance(selection, pd.DataFrame)
        for array in (selection.values, selection.to_numpy()):
            assert array.base is not None and sys.getsizeof(array) < 200
    assert df[["a", "b", "s"]].values.dtype == object  # mixed dtypes: memlint claims no dtype
    row = np.reshape(df[["a"]].values, (1, -1))[0]
    assert row.base is not None and sys.getsizeof(row) < 200
    series = df["b"]  # a categorical column: its selection's .values is a Categorical, counting its data
    assert isinstance(series[[0, 1]], pd.Series) and sys.getsizeof(series[list(range(1000))].values) > 1000
    columns = pd.MultiIndex.from_tuples([("a", "x"), ("a", "y")])
    assert isinstance(pd.DataFrame(np.ones((3, 2)), columns=columns)[("a", "x")], pd.Series)  # a tuple: one key


def test_what_is_not_a_list_selection_of_a_frame_is_not_reported():
    assert (
        codes("""
        import sys
        import pandas as pd
        def f(path, cols, flag):
            df = pd.read_csv(path)
            ser = pd.Series(range(1000))
            key = ["a", "b"] if flag else "a"
            picked = ["a"]
            if flag:
                picked = "a"
            return (sys.getsizeof(df["a"].values), sys.getsizeof(df[("a", "x")].values),
                    sys.getsizeof(df[cols].values), sys.getsizeof(ser[[0, 1]].values),
                    sys.getsizeof(df[key].values), sys.getsizeof(df[picked].values),
                    sys.getsizeof(df[["a"]]))
        """)
        == []
    )
