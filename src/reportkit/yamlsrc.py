"""Read YAML text into plain values that remember their file:line:col (YMap, YList, YStr)."""
from __future__ import annotations

import datetime
from pathlib import Path

import yaml

from .errors import Diagnostic, Loc, ReportError


# libyaml's parser is ~10x faster than the pure-Python one and gives the same marks.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class YStr(str):
    """A string scalar with its location."""

    loc: Loc


class YMap(dict):
    """A mapping with its location and the location of each key."""

    loc: Loc
    key_locs: dict


class YList(list):
    """A sequence with its location."""

    loc: Loc


def _loc(file: str, node) -> Loc:
    return Loc(file, node.start_mark.line + 1, node.start_mark.column + 1)


class _Located:
    """A non-string scalar (int, bool, date, None) together with its location."""

    __slots__ = ("value", "loc")

    def __init__(self, value, loc):
        self.value, self.loc = value, loc


def loc_of(value, fallback: Loc) -> Loc:
    return getattr(value, "loc", None) or fallback


def _convert(loader, node, file: str):
    loc = _loc(file, node)
    if isinstance(node, yaml.MappingNode):
        out = YMap()
        out.loc, out.key_locs = loc, {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if not isinstance(key, str):
                raise ReportError([Diagnostic(_loc(file, key_node), f"keys must be text, not {key!r}")])
            if key in out:
                raise ReportError([Diagnostic(_loc(file, key_node), f'duplicate key "{key}"; keep only one')])
            out.key_locs[key] = _loc(file, key_node)
            out[key] = _convert(loader, value_node, file)
        return out
    if isinstance(node, yaml.SequenceNode):
        out = YList(_convert(loader, item, file) for item in node.value)
        out.loc = loc
        return out
    value = loader.construct_object(node, deep=True)
    if isinstance(value, str):
        s = YStr(value)
        s.loc = loc
        return s
    return _Located(value, loc)


def plain(value):
    """The bare Python value of a converted node (ints, dates, bools unwrapped)."""
    return value.value if isinstance(value, _Located) else value


def type_name(value) -> str:
    value = plain(value)
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "text"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, datetime.date):
        return "a date"
    if value is None:
        return "nothing (empty)"
    return type(value).__name__


def read_yaml(path: Path, shown: str):
    """Parse one YAML file; `shown` is the path printed in diagnostics."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ReportError([Diagnostic(Loc(shown), "file not found; create it or fix the name that points to it")])
    except UnicodeDecodeError as e:
        raise ReportError([Diagnostic(Loc(shown), f"not UTF-8 text ({e.reason} at byte {e.start}); save it as UTF-8")])
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        return _convert(loader, node, shown)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        loc = Loc(shown, mark.line + 1, mark.column + 1) if mark else Loc(shown)
        what = (e.problem or e.context or "invalid YAML").strip()
        raise ReportError([Diagnostic(loc, f"YAML syntax: {what}; check indentation and quoting (a value holding ': ' needs quotes or '>-')")])
    except yaml.YAMLError as e:
        raise ReportError([Diagnostic(Loc(shown), f"YAML syntax: {e}")])
    finally:
        loader.dispose()
