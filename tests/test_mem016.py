import pytest
from helpers import codes, lint, run_program


def test_collect_right_after_deleting_numeric_arrays():
    f, g = lint("""
        import gc
        import numpy as np
        def f(n):
            a = np.ones(n)
            b = a[::2].copy()
            total = a.sum() + b.sum()
            del a, b
            gc.collect()
            x = np.zeros((10, 10), dtype=np.float32)
            del x
            gc.collect(2)
            return total
        """)
    assert (f.code, f.line, g.code, g.line) == ("MEM016", 9, "MEM016", 12) and f.fix is None
    assert "`a`, `b`" in f.message and "76.3 MiB" in f.message
    assert codes("""
        import gc
        import numpy as np
        x = np.zeros((10, 10), dtype=np.float32)
        y = np.arange(5)
        del x
        del y
        gc.collect()
        """) == ["MEM016"]


def test_never_reported():
    assert (
        codes("""
        import gc
        import numpy as np
        def f(arr, model):
            objs = np.array([None, 1])
            del objs                      # object arrays can be in cycles
            gc.collect()
            del arr                       # a parameter: anything
            gc.collect()
            a = np.ones(10)
            del model
            del a                         # the collection may be for the model
            gc.collect()
            b = np.ones(10)
            del b
            print("done")                 # not right after the del
            gc.collect()
            c = np.ones(10)
            del c
            n = gc.collect()              # the count is used
            return n
        """)
        == []
    )
    assert codes("import mygc as gc\nimport numpy as np\na = np.ones(3)\ndel a\ngc.collect()\n") == []


@pytest.mark.slow
def test_del_frees_a_numeric_array_at_once():
    """The premise, measured as m12 does: with the collector disabled, `del` returns the buffer."""
    output, _ = run_program("""
        import gc, tracemalloc
        import numpy as np
        gc.disable()
        a = np.ones(1_000_000)
        held = tracemalloc.get_traced_memory()[0]
        del a
        print(held > 7_000_000, tracemalloc.get_traced_memory()[0] < held - 7_000_000)
        """)
    assert output.split() == ["True", "True"]


def test_catalog_example_is_reported_and_its_replacement_is_not():
    from memlint import catalog

    doc = catalog.load()["MEM016"]
    assert "MEM016" in codes(doc.example) and "MEM016" not in codes(doc.use_instead)


def test_in_every_kind_of_block():
    assert (
        codes("""
        import gc
        import numpy as np
        def f(n):
            try:
                a = np.ones(n)
                del a
                gc.collect()
            except MemoryError:
                b = np.ones(10)
                del b
                gc.collect()
            else:
                c = np.ones(10)
                del c
                gc.collect()
        """)
        == ["MEM016"] * 3
    )


def test_lists_of_numeric_arrays_or_numbers():
    found = lint(
        """
        import gc
        import numpy as np
        def batches(paths):
            pieces = []
            for p in paths:
                pieces.append(np.load(p).astype(np.float32))
            total = np.concatenate(pieces)
            del pieces
            gc.collect()
            sizes = []
            for p in paths:
                sizes.append(len(p) * 0.5)
            del sizes, total
            gc.collect()
        """,
        select=("MEM016",),  # MEM012 also reports np.load(p).astype(np.float32): a copy if the file is float32
    )
    assert [(f.code, f.line) for f in found] == [("MEM016", 10), ("MEM016", 15)]
    assert "the list `pieces` of numeric arrays or numbers" in found[0].message
    assert "the numeric arrays `total` and the list `sizes`" in found[1].message


def test_a_sliding_window_of_frames_holds_numeric_arrays():
    # items popped (their result unused) or deleted leave the list and go nowhere: what remains is what was appended
    found = lint(
        """
        import gc
        import cv2
        def scores(cap, model):
            frames, count = [], 0
            while cap.isOpened():
                ok, frame = cap.read()
                if not ok:
                    break
                frames.append(cv2.resize(frame, (224, 224)).astype("float32") / 255.0)
                if len(frames) > 16:
                    frames.pop(0)
                count += 1
            del frames
            gc.collect()
        """,
        select=("MEM016",),
    )
    assert [(f.code, f.line) for f in found] == [("MEM016", 15)]


def test_a_popped_item_kept_elsewhere_is_not_followed():
    assert not lint(
        """
        import gc
        import numpy as np
        def f(paths, keep):
            frames = []
            for p in paths:
                frames.append(np.load(p).astype(np.float32))
                keep.append(frames.pop(0))
            del frames
            gc.collect()
        """,
        select=("MEM016",),
    )


def test_a_stack_of_a_float_array_and_one_of_unknown_dtype_may_hold_objects():
    # np.array([f, u]) is an object array when u is one: only f's float64 would say otherwise
    assert not lint(
        """
        import gc
        import numpy as np
        def f(n, kind):
            a = np.zeros((n, 4))
            b = np.zeros((n, 4), dtype=kind)
            both = np.array([a, b])
            del both
            gc.collect()
        """,
        select=("MEM016",),
    )


def test_import_gc_between_the_del_and_the_collection():
    assert codes("""
        import numpy as np
        def f(n):
            a = np.ones(n)
            s = a.sum()
            del a
            import gc
            gc.collect()
            b = np.ones(n)
            del b
            from gc import collect
            collect()
            return s
        """) == ["MEM016", "MEM016"]


def test_arrays_returned_by_the_projects_functions():
    assert codes("""
        import gc
        import numpy as np
        def load(n):
            rows = []
            for i in range(n):
                rows.append(np.full(8, i, dtype=np.uint8))
            return np.array(rows)
        def main():
            for start in range(0, 100, 10):
                batch = load(start)
                print(batch.mean())
                del batch
                gc.collect()
        """) == ["MEM016"]


def test_a_list_that_may_refer_back_to_itself_is_not_reported():
    # traps: each list may hold (or be handed to) an object in a reference cycle with it, which only the
    # collector frees
    assert (
        codes("""
        import gc
        import numpy as np
        def f(paths, node, register):
            a = [np.ones(3)]              # a literal: not a list built by appending
            a.append(node)
            del a
            gc.collect()
            b = []
            b.append(np.ones(3))
            b.append(b)                   # holds itself
            del b
            gc.collect()
            c = []
            c.append(np.ones(3))
            register(c)                   # handed to other code, which may keep it in a cycle
            del c
            gc.collect()
            d = []
            d.append(np.ones(3))
            d.extend(paths)               # unknown items
            del d
            gc.collect()
            e = []
            e.append(np.array([None, node]))  # an object array
            del e
            gc.collect()
            g = []
            g.append(np.ones(3))
            def keep():
                g.append(keep)            # a nested function puts itself in
            keep()
            del g
            gc.collect()
            h = []
            del h                         # nothing put in: nothing known
            gc.collect()
        """)
        == []
    )


@pytest.mark.slow
def test_del_frees_a_list_of_arrays_at_once_unless_it_is_in_a_cycle():
    """The premise: with the collector disabled, `del` of a list of numeric arrays returns their buffers; a list
    in a cycle with one of its items keeps them until a collection (what the trap above guards against)."""
    output, _ = run_program("""
        import gc, tracemalloc
        import numpy as np
        gc.disable()
        pieces = [np.ones(250_000) for _ in range(4)]
        held = tracemalloc.get_traced_memory()[0]
        del pieces
        print(held > 7_000_000, tracemalloc.get_traced_memory()[0] < held - 7_000_000)
        class Node:
            pass
        looped = [np.ones(250_000) for _ in range(4)]
        node = Node()
        node.owner = looped
        looped.append(node)
        held = tracemalloc.get_traced_memory()[0]
        del looped, node
        print(tracemalloc.get_traced_memory()[0] > held - 1_000_000)
        gc.collect()
        print(tracemalloc.get_traced_memory()[0] < held - 7_000_000)
        """)
    assert output.split() == ["True", "True", "True", "True"]


def test_a_name_set_to_none_lets_go_as_del_does():
    found = lint(
        """
        import gc
        import numpy as np
        X_train = np.load("x.npy").astype(np.float32)
        print(X_train.mean())
        X_train = None
        gc.collect()
        def f(n, model):
            a = np.ones(n)
            b = []
            b.append(np.zeros(n))
            print(a.sum(), len(b))
            a = b = None
            gc.collect()
            c = np.ones(n)
            c = model = None              # the model may be in a cycle
            gc.collect()
        """,
        select=("MEM016",),
    )
    assert [(f.code, f.line) for f in found] == [("MEM016", 7), ("MEM016", 14)]
    assert "`del` (or `= None`) of the numeric arrays `X_train`" in found[0].message


def test_an_image_read_by_matplotlib_is_a_numeric_array():
    """plt.imread's pixels are numbers whatever the file (calls.toml `numeric`): deleting them frees them."""
    (f,) = lint(
        """
        import gc
        import matplotlib.pyplot as plt
        def tiles(path):
            img = plt.imread(path)
            n = img.shape[0] // 2
            del img
            gc.collect()
            return n
        """,
        select=("MEM016",),
    )
    assert f.line == 8 and "`img`" in f.message
    # traps: a reader whose pixels may be objects or of unknown kind, or a branch that may bind anything
    assert (
        codes(
            """
        import gc
        import matplotlib.pyplot as plt
        import imageio
        def tiles(path, transform):
            img = plt.imread(path)
            if transform is not None:
                img = transform(image=img)["image"]
            del img
            gc.collect()
            other = imageio.imread(path)
            del other
            gc.collect()
        """,
            select=("MEM016",),
        )
        == []
    )


def test_a_tiff_read_by_tifffile_is_a_numeric_array():
    found = lint(
        """
        import gc
        import tifffile
        def stack(paths):
            for p in paths:
                vol = tifffile.imread(p)
                print(vol.mean())
                del vol
                gc.collect()
            mapped = tifffile.imread(paths[0], out="memmap")  # a memmap: not known to be a plain array
            del mapped
            gc.collect()
        """,
        select=("MEM016",),
    )
    assert [f.line for f in found] == [9]
