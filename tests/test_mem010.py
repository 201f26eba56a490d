import textwrap

import pytest
from helpers import assert_fix_keeps_behaviour, assert_trap_not_fixed, codes, fix, lint

pytest.importorskip("pandas")


def test_frame_read_only_through_literal_columns():
    (f,) = lint("""
        import pandas as pd
        def mean_x(path):
            df = pd.read_csv(path, sep=";")
            return df["x"].mean() + df[["y", "x"]].sum().sum()
        """)
    assert f.code == "MEM010" and f.fix.applicability == "unsafe"
    assert "'x' and 'y'" in f.message and "if the file has other columns" in f.message and "3.1x" in f.message


def test_unsafe_fix_adds_usecols_in_the_code_s_own_spelling_and_layout():
    code = """
        import pandas as pd
        def mean_x(path):
            df = pd.read_csv(path, sep=";")
            return df["x"].mean() + df[["y", "x"]].sum().sum()
        def direct(path):
            return pd.read_csv(path)['x'].max()
        def layout(path):
            df = pd.read_table(
                path,
            )
            return df["a"]
        """
    assert fix(code) == textwrap.dedent(code)  # unsafe: not applied by default
    fixed = fix(code, unsafe=True)
    assert 'pd.read_csv(path, sep=";", usecols=["x", "y"])' in fixed
    assert "pd.read_csv(path, usecols=['x'])['x']" in fixed
    assert '        path,\n        usecols=["a"],\n    )' in fixed


def test_module_level_frame_is_advice_only():
    (f,) = lint("""
        import pandas as pd
        frame = pd.read_csv("data.csv")
        total = frame["amount"].sum()
        """)
    assert f.fix is None


def test_literal_names_with_more_columns_than_read():
    (f,) = lint("""
        import pandas as pd
        def f(path):
            df = pd.read_csv(path, header=None, names=["a", "b", "c"])
            return df["a"]
        """)
    assert f.fix is None  # names= is not in the fix's allow-list


# Frames whose every column may be needed, or no frame of pandas' at all (the programs MEM010 leaves alone).
NEVER_REPORTED = {
    # the frame escapes, or is used through methods and attributes
    "escapes-or-methods": """
        import pandas as pd
        def a(path):
            df = pd.read_csv(path)
            print(df["x"])
            return df
        def b(path):
            df = pd.read_csv(path)
            return df.x.mean() + df["y"].sum()
        def c(path):
            df = pd.read_csv(path)
            df["z"] = 1
            return df["x"]
        def d(path, col):
            df = pd.read_csv(path)
            return df[col]
        """,
    # already selective, or not a frame
    "already-selective-or-not-a-frame": """
        import pandas as pd
        def a(path):
            return pd.read_csv(path, usecols=["x"])["x"]
        def b(path):
            for chunk in pd.read_csv(path, chunksize=1000):
                print(chunk["x"].sum())
        def c(path, **kw):
            return pd.read_csv(path, **kw)["x"]
        def d(path):
            return pd.read_csv(path, index_col=0)["price"]       # the index column is read too
        def e(path):
            return pd.read_csv(path, parse_dates=["ts"])["value"]
        """,
    # a frame captured by a nested function, or a name also bound elsewhere and used after
    "captured-or-rebound": """
        import pandas as pd
        def a(path):
            df = pd.read_csv(path)
            return lambda: df["x"]
        """,
    # not pandas
    "not-pandas": "import mylib as pd\ndef f(p):\n    return pd.read_csv(p)['x']\n",
}


@pytest.mark.parametrize("code", NEVER_REPORTED.values(), ids=NEVER_REPORTED.keys())
def test_never_reported(code):
    assert codes(code) == []


def test_never_reported_when_the_call_shows_every_column_is_read():
    """pandas tests/io/formats/test_to_string.py and tests/io/parser/test_c_parser_only.py."""
    assert (
        codes("""
        import pandas as pd
        from io import BytesIO, StringIO
        def a(joined, header):
            recons = pd.read_csv(StringIO(joined), names=header, header=None, sep=" ")
            return recons["B"], recons["A"]
        def b(data):
            expected = pd.read_csv(BytesIO(data), engine="python")
            return expected["a"][0], expected["b"][0]
        def c(path):
            df = pd.read_csv(path, header=None, names=["a", "b"])
            return df["a"], df["b"]
        """)
        == []
    )


PROGRAM = """
import os, tempfile
import pandas as pd

path = os.path.join(tempfile.mkdtemp(), "wide.csv")
with open(path, "w") as f:
    f.write("id,x,y,z,w,label\\n")
    for i in range(20_000):
        f.write(f"{i},{i * 0.5},{i % 7},{i * 1.25},{-i},k{i % 3}\\n")

def summary(path):
    df = pd.read_csv(path)
    return df["x"].sum(), df[["label", "y"]].value_counts().to_dict()

total, counts = summary(path)
print(total, sorted(counts.items())[:5])
"""


@pytest.mark.slow
def test_fix_keeps_output_and_lowers_the_traced_peak():
    # tracemalloc sees the frame's column arrays (not the C parser's buffers): skipping 4 of 6 columns shows.
    fixed = assert_fix_keeps_behaviour(PROGRAM, unsafe=True)
    assert 'pd.read_csv(path, usecols=["x", "label", "y"])' in fixed


ROWS_PROGRAM = """
import os, tempfile
import pandas as pd

path = os.path.join(tempfile.mkdtemp(), "steps.csv")
with open(path, "w") as f:
    f.write("step,loss,x,y,note\\n")
    for i in range(20_000):
        f.write(f"{i},{1 / (i + 1)},{i * 0.25},{i % 11},{'' if i % 5 else 'ok'}\\n")
    f.write(",,,,\\n")  # a row of empty fields: still a row, whichever columns are parsed

def plot(path):
    df = pd.read_csv(path)
    print(f"Number of rows: {len(df)}")
    return df["x"].sum(), df["y"].max()

print(plot(path))
"""


def test_len_of_the_frame_reads_no_column():
    (f,) = lint(ROWS_PROGRAM)
    assert f.code == "MEM010" and "'x' and 'y'" in f.message


@pytest.mark.slow
def test_len_of_the_frame_keeps_its_value_after_the_fix():
    fixed = assert_fix_keeps_behaviour(ROWS_PROGRAM, unsafe=True)
    assert 'pd.read_csv(path, usecols=["x", "y"])' in fixed


@pytest.mark.slow
def test_counting_columns_is_a_use_of_every_column():
    # len(df.columns) and df.shape count the columns usecols= would drop; a file that rebinds len is not
    # asking the builtin
    for counted in ("len(df.columns)", "df.shape[1]"):
        code = ROWS_PROGRAM.replace("len(df)", counted)
        assert_trap_not_fixed("MEM010", code, "pd.read_csv(path)", 'pd.read_csv(path, usecols=["x", "y"])')
    assert codes(ROWS_PROGRAM.replace("import pandas as pd", "import pandas as pd\nlen = sum")) == []


def test_catalog_example_is_reported_and_its_replacement_is_not():
    from memlint import catalog

    doc = catalog.load()["MEM010"]
    assert "MEM010" in codes(doc.example) and "MEM010" not in codes(doc.use_instead)


# --- dtype: columns converted right after the read ---------------------------------------------------------


def test_columns_converted_right_after_the_read_are_named_with_their_dtypes():
    (a, b) = lint("""
        import numpy as np
        import pandas as pd
        def a(path):
            df = pd.read_csv(path, usecols=["price", "kind"])
            df["price"] = df["price"].astype("float32")
            df["kind"] = df["kind"].astype("category")
            return df
        def b(path):
            df = pd.read_csv(path)
            df = df.astype({"x": np.float32, "y": "int16"})
            df["z"] = pd.to_numeric(df["z"], downcast="float")
            return df.describe()
        """)
    assert a.code == b.code == "MEM010" and a.fix is None and b.fix is None
    assert a.line == 5 and 'dtype={"price": "float32", "kind": "category"}' in a.message
    assert b.line == 10 and 'dtype={"x": np.float32, "y": "int16", "z": "float32"}' in b.message
    assert "0.36x also giving dtype=" in a.message


# Reads whose dtypes are already decided, or not narrowed by a literal dtype of the same frame (no dtype= advice).
DTYPE_NEVER_REPORTED = {
    # dtype=/converters= already given, not a frame, or arguments that may hold a dtype
    "dtype-given-or-not-a-frame": """
        import pandas as pd
        def a(path):
            df = pd.read_csv(path, dtype={"x": "float32"})
            df["y"] = df["y"].astype("float32")
            return df
        def b(path):
            df = pd.read_csv(path, converters={"x": float})
            df["y"] = df["y"].astype("float32")
            return df
        def c(path, **kw):
            df = pd.read_csv(path, **kw)
            df["y"] = df["y"].astype("float32")
            return df
        def d(path):
            df = pd.read_csv(path, chunksize=100)
            return df
        """,
    # not a literal narrower dtype: a variable, the defaults' own width, pandas' nullable types,
    # an integer downcast (its dtype depends on the values), astype with errors=
    "not-a-literal-narrower-dtype": """
        import pandas as pd
        def a(path, t):
            df = pd.read_csv(path)
            df["y"] = df["y"].astype(t)
            df["z"] = df["z"].astype("float64")
            df["w"] = df["w"].astype(float)
            df["v"] = df["v"].astype("Int32")
            df["u"] = pd.to_numeric(df["u"], downcast="integer")
            df["s"] = df["s"].astype("float32", errors="ignore")
            df["r"] = pd.to_numeric(df["r"], errors="coerce", downcast="float")
            return df
        """,
    # not a column of that same frame binding
    "another-frame-binding": """
        import pandas as pd
        def a(path, other):
            df = pd.read_csv(path)
            other["y"] = other["y"].astype("float32")
            df["z"] = df["y"].astype("float32")
            return df
        def b(path, other):
            df = pd.read_csv(path)
            df = other.astype({"y": "float32"})
            return df
        def c(path, other):
            df = pd.read_csv(path)
            if other:
                df = other
            df["y"] = df["y"].astype("float32")
            return df
        def d(path):
            df = pd.read_csv(path)
            out = df.astype({"y": "float32"})
            return out
        """,
    # not right after the read, in-memory test data, or not pandas
    "not-right-after-the-read": """
        import pandas as pd
        from io import StringIO
        import mylib
        def a(path):
            df = pd.read_csv(path)
            print(df.shape)
            df["y"] = df["y"].astype("float32")
            return df
        def b(text):
            df = pd.read_csv(StringIO(text))
            df["y"] = df["y"].astype("float32")
            return df
        def c(path):
            df = mylib.read_csv(path)
            df["y"] = df["y"].astype("float32")
            return df
        """,
}


@pytest.mark.parametrize("code", DTYPE_NEVER_REPORTED.values(), ids=DTYPE_NEVER_REPORTED.keys())
def test_dtype_is_never_reported(code):
    assert codes(code) == []


DTYPE_PROGRAM = """
import os, tempfile
import pandas as pd

path = os.path.join(tempfile.mkdtemp(), "wide.csv")
with open(path, "w") as f:
    f.write("x,y,label\\n")
    for i in range(20_000):
        f.write(f"{i * 0.5},{i % 1000},k{i % 3}\\n")

def load(path):
    df = pd.read_csv(path)
    df = df.astype({"x": "float32", "y": "int16"})
    df["label"] = df["label"].astype("category")
    return df

df = load(path)
print(df.dtypes.to_dict(), df["x"].sum(), df["y"].sum(), df["label"].cat.categories.tolist(), df.iloc[-1].tolist())
"""


@pytest.mark.slow
def test_the_advised_dtype_gives_the_same_frame_with_a_lower_peak():
    from helpers import run_program

    (f,) = lint(DTYPE_PROGRAM)
    advised = f.message.split("dtype=")[1].split(" parses straight")[0]
    assert advised == '{"x": "float32", "y": "int16", "label": "category"}'
    followed = DTYPE_PROGRAM.replace("pd.read_csv(path)", f"pd.read_csv(path, dtype={advised})")
    before, after = run_program(DTYPE_PROGRAM), run_program(followed)
    assert before[0] == after[0]
    assert after[1] < before[1]


def test_a_chained_assignment_reads_the_columns_of_every_name():
    found = lint("""
        import pandas as pd
        def f(path):
            df = df = pd.read_csv(path)
            return df["a"].sum()
        def g(path):
            df = raw = pd.read_csv(path)
            return df["a"].sum() + raw["b"].max()
        """)
    assert [(f.line, "['a']" in f.message or "['a', 'b']" in f.message) for f in found] == [(4, True), (7, True)]
    # the other name used otherwise: every column may matter
    assert (
        codes("""
        import pandas as pd
        def g(path):
            df = raw = pd.read_csv(path)
            print(raw.describe())
            return df["a"].sum()
        """)
        == []
    )


@pytest.mark.slow
def test_a_chained_assignment_keeps_its_output_after_the_fix():
    fixed = assert_fix_keeps_behaviour(
        ROWS_PROGRAM.replace("df = pd.read_csv(path)", "df = raw = pd.read_csv(path)").replace('df["y"]', 'raw["y"]'),
        unsafe=True,
    )
    assert 'df = raw = pd.read_csv(path, usecols=["x", "y"])' in fixed
