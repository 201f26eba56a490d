"""``[tool.memlint]`` discovery and validation.

The nearest ``memlint.toml`` or ``pyproject.toml`` with a ``[tool.memlint]`` table above the first checked
path (or ``--config FILE``) is the configuration. Relative globs in it are relative to its folder. Every
key is checked: an unknown key, a wrong type or invalid TOML is a ``ConfigError`` naming the key and file.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from memlint.findings import PARSE_ERROR

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

OUTPUT_FORMATS = ("concise", "full", "text", "json", "github", "sarif", "gitlab")  # text: concise's old name
DEFAULT_EXCLUDE = (
    ".git",
    ".hg",
    ".svn",
    ".venv",
    "venv",
    ".env",
    "env",
    "virtualenv",
    "__pypackages__",
    "build",
    "dist",
    "__pycache__",
    ".ipynb_checkpoints",
    ".tox",
    ".nox",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
    ".memlint_cache",
    "node_modules",
    "site-packages",
    "*.egg-info",
)
# NumPy elides temporaries from 256 KiB up (numpy/_core/src/multiarray/temp_elide.c): the size from which
# NumPy itself considers an array worth saving a copy of.
DEFAULT_MIN_ARRAY_BYTES = 256 * 1024
OPT_IN_RULES = frozenset({"MEM100"})  # off unless selected by name (or MEM1, MEM10)


class ConfigError(Exception):
    """A problem with the configuration; the message names the file and key."""


@dataclass
class Config:
    source: Optional[Path] = None  # the file it came from
    root: Path = field(default_factory=Path.cwd)
    select: list = field(default_factory=lambda: ["MEM"])
    extend_select: list = field(default_factory=list)
    ignore: list = field(default_factory=list)
    per_file_ignores: dict = field(default_factory=dict)
    exclude: list = field(default_factory=lambda: list(DEFAULT_EXCLUDE))
    extend_exclude: list = field(default_factory=list)
    unsafe_fixes: bool = False
    output_format: str = "concise"
    min_array_bytes: int = DEFAULT_MIN_ARRAY_BYTES
    rules: dict = field(default_factory=dict)  # code -> {option: value}, defaults filled in
    calls: dict = field(default_factory=dict)  # qualified name -> facts.calls.Returns: the project's loaders
    # A run's configuration (not one named with --config) lets a nearer configuration file govern the files
    # of its folder: ``for_path``. What it needs to load them, and those it loaded, by folder:
    discover: bool = field(default=False, compare=False)
    command_line: tuple = field(default=(None, None, None, None), compare=False)
    rule_defaults: dict = field(default_factory=dict, repr=False, compare=False)
    _nearer: dict = field(default_factory=dict, repr=False, compare=False)

    def for_path(self, path) -> Config:
        """The configuration that governs a file: the nearest ``memlint.toml`` or ``pyproject.toml`` with a
        ``[tool.memlint]`` table above it, with the command line's options over it; this one when that is
        this one's file, when there is none, or when discovery is off (``--config FILE``). The project-wide
        facts stay this configuration's: a nearer one takes this one's ``calls``."""
        if not self.discover:
            return self
        folder = os.path.dirname(os.path.abspath(path))
        if folder not in self._nearer:
            found = find_config_file(Path(folder + os.sep + "x"))  # the folder itself is searched too
            if found is None or self.source is not None and os.path.abspath(found) == os.path.abspath(self.source):
                self._nearer[folder] = self
            else:
                nearer = _load(found, False, self.rule_defaults)
                nearer.apply_command_line(*self.command_line)
                nearer.calls = self.calls
                self._nearer[folder] = nearer
        return self._nearer[folder]

    def enabled(self, code: str, path: Optional[str] = None) -> bool:
        """ruff's rule: the longest matching prefix among selects and ignores decides; ignore wins ties.

        An opt-in rule (MEM100) is selected only by a prefix that names its group (``MEM1``, ``MEM100``):
        the default ``MEM`` leaves it off."""
        selects = self.select + self.extend_select
        if code in OPT_IN_RULES:
            selects = [p for p in selects if len(p) > len("MEM")]
        matches = [(len(p), True) for p in selects if code.startswith(p)]
        matches += [(len(p), False) for p in self.ignore if code.startswith(p)]
        on = bool(matches) and max(matches, key=lambda m: (m[0], not m[1]))[1]
        if on and path is not None:
            for pattern, codes in self.per_file_ignores.items():
                if self._matches(path, pattern) and any(code.startswith(c) for c in codes):
                    return False
        return on

    def apply_command_line(
        self,
        select: Optional[list],
        extend_select: Optional[list],
        ignore: Optional[list],
        unsafe_fixes: Optional[bool] = None,
    ) -> None:
        """Layer the command line's choices over the file's, as ruff does: the command line wins.

        ``--select`` replaces the file's selection (its ``ignore`` included); ``--extend-select`` re-enables
        what the file ignored; ``--ignore`` disables what the file selected. The same layering applies to every
        nearer configuration file (``for_path``).
        """
        self.command_line = (select, extend_select, ignore, unsafe_fixes)
        if unsafe_fixes is not None:
            self.unsafe_fixes = unsafe_fixes
        if select is not None:
            self.select, self.extend_select, self.ignore = list(select), [], []
        for code in extend_select or []:
            self.ignore = [c for c in self.ignore if not c.startswith(code)]
            self.extend_select.append(code)
        for code in ignore or []:
            self.select = [c for c in self.select if not c.startswith(code)]
            self.extend_select = [c for c in self.extend_select if not c.startswith(code)]
            self.ignore.append(code)

    def is_excluded(self, path: Path, base: Optional[Path] = None) -> bool:
        """Whether ``exclude``/``extend-exclude`` drop a path found under the named folder ``base``.

        A name pattern (no ``/``: ``build``, ``*.egg-info``) matches any folder or file name below ``base``,
        never ``base`` itself or its parents: a folder the user names is checked even if it is called
        ``build``. A path pattern (``src/gen/*.py``) matches the path relative to the configuration's folder.
        """
        return self._matches_any(path, self.exclude + self.extend_exclude, base)

    def _relative(self, path, base: Optional[Path] = None) -> str:
        """The path relative to the configuration's folder, else to ``base``, else as given.

        Symbolic links are not resolved: a file is matched where it lies in the tree (and a link loop
        cannot raise here).
        """
        absolute = os.path.abspath(path)
        for folder in (self.root, base):
            if folder is None:
                continue
            top = os.path.abspath(folder)
            if absolute == top or absolute.startswith(top.rstrip(os.sep) + os.sep):
                return Path(os.path.relpath(absolute, top)).as_posix()
        return Path(path).as_posix()

    def _matches(self, path, pattern: str, base: Optional[Path] = None) -> bool:
        """A glob matches a name below ``base`` (see ``is_excluded``) or the path relative to the config's
        folder; per-file-ignores (no ``base``) match any name in the path too."""
        return self._matches_any(path, [pattern], base)

    def _matches_any(self, path, patterns: list, base: Optional[Path] = None) -> bool:
        # The path's relative forms are computed once for all patterns: discovery asks for every file.
        rel = self._relative(path)
        names = None
        for pattern in patterns:
            pattern = pattern.rstrip("/")
            if pattern.startswith("./"):
                pattern = pattern[2:]
            if "/" in pattern:
                # fnmatch's * also matches "/"; "**/x" matches x at the top too, as in gitignore.
                options = (pattern, pattern[3:]) if pattern.startswith("**/") else (pattern,)
                if any(fnmatch.fnmatch(rel, p) or fnmatch.fnmatch(rel, p + "/*") for p in options):
                    return True
                continue
            if names is None:
                names = Path(rel if base is None else _below(path, base)).parts
            if any(fnmatch.fnmatch(name, pattern) for name in names):
                return True
        return False

    def option(self, code: str, name: str):
        return self.rules[code][name]

    def fingerprint(self) -> str:
        """What about the configuration changes findings: part of the cache key."""
        data = {
            k: getattr(self, k)
            for k in ("select", "extend_select", "ignore", "per_file_ignores", "min_array_bytes", "rules", "calls")
        }
        return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()[:16]


def _below(path, base: Path) -> str:
    """The part of ``path`` below the folder ``base`` (both as given on the command line or walked)."""
    absolute, top = os.path.abspath(path), os.path.abspath(base)
    if absolute.startswith(top.rstrip(os.sep) + os.sep):
        return os.path.relpath(absolute, top)
    return "" if absolute == top else os.path.basename(absolute)


# key in the file -> (attribute, expected type, description for errors)
_KEYS = {
    "select": ("select", "codes", "a list of rule codes or prefixes"),
    "extend-select": ("extend_select", "codes", "a list of rule codes or prefixes"),
    "ignore": ("ignore", "codes", "a list of rule codes or prefixes"),
    "per-file-ignores": ("per_file_ignores", "globcodes", "a table of glob = [codes]"),
    "exclude": ("exclude", "strings", "a list of globs"),
    "extend-exclude": ("extend_exclude", "strings", "a list of globs"),
    "unsafe-fixes": ("unsafe_fixes", bool, "true or false"),
    "output-format": ("output_format", "format", "one of " + ", ".join(OUTPUT_FORMATS)),
    "min-array-bytes": ("min_array_bytes", int, "a non-negative integer (bytes)"),
    "rules": ("rules", "rules", "a table of [tool.memlint.rules.CODE] tables"),
    "calls": ("calls", "calls", 'a table of "module.function" = { kind, dtype, ndim, owner }'),
}


def find_config_file(start: Path) -> Optional[Path]:
    start = Path(os.path.abspath(start))  # not resolve(): a link loop must not raise here
    for folder in [start, *start.parents] if start.is_dir() else list(start.parents):
        own = folder / "memlint.toml"
        if own.is_file():
            return own
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file() and _has_memlint_table(pyproject):
            return pyproject
    return None


def _has_memlint_table(pyproject: Path) -> bool:
    try:
        tool = _read_toml(pyproject).get("tool", {})
    except ConfigError:
        return True  # report the broken file rather than skip past it
    return isinstance(tool, dict) and "memlint" in tool  # another tool's odd `tool` is not ours to judge


def _read_toml(path: Path) -> dict:
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{path}: invalid TOML: {e}") from None
    except UnicodeDecodeError as e:  # TOML is UTF-8 by definition
        line = e.object[: e.start].count(b"\n") + 1
        raise ConfigError(f"{path}:{line}: invalid TOML: not UTF-8 ({e.reason})") from None
    except OSError as e:
        raise ConfigError(f"{path}: cannot read configuration: {e.strerror}") from None


def load_config(explicit: Optional[Path], start: Path, rule_options: dict[str, dict]) -> Config:
    """Read and validate the configuration; ``rule_options`` maps each rule code to its option defaults.

    Without ``explicit`` (``--config FILE``), nearer configuration files govern their folders' files
    (``Config.for_path``)."""
    path = explicit if explicit is not None else find_config_file(start)
    config = (
        _with_rule_defaults(Config(), rule_options) if path is None else _load(path, explicit is not None, rule_options)
    )
    config.discover = explicit is None
    config.rule_defaults = rule_options
    return config


def _table(path: Path, explicit: bool) -> tuple[dict, str]:
    """A configuration file's memlint settings and the prefix its keys are named with in messages."""
    data = _read_toml(path)
    if path.name == "pyproject.toml" or explicit and "tool" in data:
        tool = data.get("tool", {})
        if not isinstance(tool, dict):
            raise ConfigError(f"{path}: `tool` must be a table ([tool.memlint]), not {tool!r}")
        data = tool.get("memlint", {})
        if not isinstance(data, dict):
            raise ConfigError(f"{path}: `tool.memlint` must be a table ([tool.memlint]), not {data!r}")
        return data, "tool.memlint."
    return data, ""


# Keys whose values add up along `extend` (as ruff's extend-* do); every other key of the extending file
# replaces the extended file's.
_ADDITIVE = ("extend-select", "extend-exclude")
_MERGED = ("per-file-ignores", "rules", "calls")


def _settings(path: Path, explicit: bool, seen: tuple = ()) -> tuple[dict, str]:
    """A file's settings with those of the files it extends (``extend = "../pyproject.toml"``) beneath."""
    data, prefix = _table(path, explicit)
    if "extend" not in data:
        return data, prefix
    data = dict(data)
    target = data.pop("extend")
    if not isinstance(target, str):
        raise ConfigError(f"{path}: `{prefix}extend` must be the path of a configuration file, not {target!r}")
    base_path = Path(os.path.abspath(path.parent / os.path.expanduser(target)))
    if not base_path.is_file():
        raise ConfigError(f"{path}: `{prefix}extend` names {target!r}, which is not a file")
    if base_path in seen or base_path == Path(os.path.abspath(path)):
        raise ConfigError(f"{path}: `{prefix}extend` makes a cycle through {base_path}")
    base, _ = _settings(base_path, False, (*seen, Path(os.path.abspath(path))))
    merged = {**base, **data}
    for key in _ADDITIVE:
        if key in base and key in data and isinstance(base[key], list) and isinstance(data[key], list):
            merged[key] = base[key] + data[key]
    for key in _MERGED:
        if key in base and key in data and isinstance(base[key], dict) and isinstance(data[key], dict):
            if key == "rules":
                merged[key] = {c: {**base[key].get(c, {}), **data[key].get(c, {})} for c in {**base[key], **data[key]}}
            else:
                merged[key] = {**base[key], **data[key]}
    return merged, prefix


def _load(path: Path, explicit: bool, rule_options: dict[str, dict]) -> Config:
    data, prefix = _settings(path, explicit)
    return _with_rule_defaults(_parse(data, path, prefix, rule_options), rule_options)


def _parse(data: dict, path: Path, prefix: str, rule_options: dict[str, dict]) -> Config:
    config = Config(source=path, root=Path(os.path.abspath(path.parent)))
    known_codes = set(rule_options) | {PARSE_ERROR}

    def fail(key: str, why: str):
        raise ConfigError(f"{path}: `{prefix}{key}` {why}")

    def check_codes(key, value):
        if not isinstance(value, list) or not all(isinstance(c, str) for c in value):
            fail(key, "must be a list of rule codes or prefixes")
        for c in value:
            if not any(code.startswith(c) for code in known_codes):
                fail(key, f"names unknown rule code `{c}`")
        return value

    for key, value in data.items():
        if key not in _KEYS:
            fail(key, f"is not a memlint setting (known: {', '.join(sorted(_KEYS))})")
        attr, kind, expected = _KEYS[key]
        if kind == "codes":
            value = check_codes(key, value)
        elif kind == "strings":
            if not isinstance(value, list) or not all(isinstance(s, str) for s in value):
                fail(key, f"must be {expected}")
        elif kind == "globcodes":
            if not isinstance(value, dict):
                fail(key, f"must be {expected}")
            value = {glob: check_codes(f'{key}."{glob}"', codes) for glob, codes in value.items()}
        elif kind == "format":
            if value not in OUTPUT_FORMATS:
                fail(key, f"must be {expected}, not {value!r}")
        elif kind == "rules":
            value = _parse_rule_options(value, fail, rule_options)
        elif kind == "calls":
            value = _parse_calls(value, fail)
        elif kind is int:
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                fail(key, f"must be {expected}, not {value!r}")
        elif not isinstance(value, kind):
            fail(key, f"must be {expected}, not {value!r}")
        setattr(config, attr, value)
    return config


def _parse_rule_options(value, fail, rule_options: dict[str, dict]) -> dict:
    if not isinstance(value, dict):
        fail("rules", "must be a table of [tool.memlint.rules.CODE] tables")
    out = {}
    for code, options in value.items():
        if code not in rule_options:
            fail(f"rules.{code}", "is not a rule code")
        if not isinstance(options, dict):
            fail(f"rules.{code}", "must be a table of options")
        checked = {}
        for name, v in options.items():
            defaults = rule_options[code]
            if name not in defaults:
                known = ", ".join(sorted(defaults)) or "none"
                fail(f"rules.{code}.{name}", f"is not an option of {code} (its options: {known})")
            want = type(defaults[name])
            if want is not str and issubclass(want, str) and type(v) is str:  # a checked string
                try:
                    v = want(v)
                except ValueError as e:
                    fail(f"rules.{code}.{name}", str(e))
            elif issubclass(want, str) and type(v) in (int, float):  # TOML reads an unquoted 3.10 as 3.1
                example = getattr(want, "example", "...")
                fail(f"rules.{code}.{name}", f'must be a string in quotes ({name} = "{example}"), not the number {v!r}')
            elif type(v) is not want and not (want is float and type(v) is int):
                kind = "str" if issubclass(want, str) else want.__name__
                fail(f"rules.{code}.{name}", f"must be of type {kind}, not {v!r}")
            checked[name] = v
        out[code] = checked
    return out


def _parse_calls(value, fail) -> dict:
    """``"mylab.io.read_scan" = { kind = "ndarray", dtype = "uint16", ndim = 3, owner = "fresh" }``: what the
    project's own loaders return, in the form of ``facts/calls.toml``."""
    from memlint.facts import calls

    if not isinstance(value, dict):
        fail("calls", f"must be {_KEYS['calls'][2]}")
    out = {}
    for name, table in value.items():
        parts = name.split(".")
        if len(parts) < 2 or not all(p.isidentifier() for p in parts):
            fail(f'calls."{name}"', "must name a function by its module: module.function")
        try:
            out[name] = calls.parse_entry(table, f'calls."{name}"')
        except calls.CallsError as e:
            fail(e.key, e.why)
    return out


def _with_rule_defaults(config: Config, rule_options: dict[str, dict]) -> Config:
    config.rules = {code: {**defaults, **config.rules.get(code, {})} for code, defaults in rule_options.items()}
    return config
