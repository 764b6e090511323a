"""Read YAML text into plain values that remember their file:line:col (YMap, YList, YStr).

A plain (unquoted) scalar keeps the characters as written: `1.10`, `0777`, `12:30`, `yes`, `2026-04-01`
are YStr text wherever text is expected (a YScalar, whose `.value` is the YAML-typed value for the
places that expect a number, a date or true/false). Anchors and aliases are refused (see MAX_DEPTH and
_screen), so no file can expand to more than it holds.
"""
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


class YScalar(YStr):
    """A plain scalar YAML would re-type (number, date, true/false, null word): the text as written,
    with `.value` the typed value (or the text itself when YAML cannot construct it, e.g. 2026-02-30)."""

    value: object


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


_STR_TAG = "tag:yaml.org,2002:str"
MAX_DEPTH = 64  # nesting of mappings and lists; content needs about 12


def loc_of(value, fallback: Loc) -> Loc:
    return getattr(value, "loc", None) or fallback


def _convert(loader, node, file: str, as_written: bool = False):
    loc = _loc(file, node)
    if isinstance(node, yaml.MappingNode):
        out = YMap()
        out.loc, out.key_locs = loc, {}
        for key_node, value_node in node.value:
            if as_written and isinstance(key_node, yaml.ScalarNode) and not key_node.style:
                key = key_node.value  # keys are names: `2024:` or `no:` as written
            else:
                key = loader.construct_object(key_node, deep=True)
            if not isinstance(key, str):
                raise ReportError([Diagnostic(_loc(file, key_node), f"keys must be text, not {key!r}")])
            if key in out:
                raise ReportError([Diagnostic(_loc(file, key_node), f'duplicate key "{key}"; keep only one')])
            out.key_locs[key] = _loc(file, key_node)
            out[key] = _convert(loader, value_node, file, as_written)
        return out
    if isinstance(node, yaml.SequenceNode):
        out = YList(_convert(loader, item, file, as_written) for item in node.value)
        out.loc = loc
        return out
    if as_written and not node.style and node.value and node.tag != _STR_TAG:  # a plain scalar YAML would re-type
        s = YScalar(node.value)
        s.loc = loc
        try:
            s.value = loader.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError, OverflowError):
            s.value = node.value
        return s
    try:
        value = loader.construct_object(node, deep=True)
    except (ValueError, OverflowError) as e:  # an explicit tag on a value that cannot be one: !!timestamp "2026-02-30"
        raise ReportError([Diagnostic(loc, f"{node.value!r} cannot be read as {node.tag.rsplit(':', 1)[-1]} ({e}); fix or quote it")])
    if isinstance(value, str):
        s = YStr(value)
        s.loc = loc
        return s
    return _Located(value, loc)


def plain(value):
    """The bare Python value of a converted node (ints, dates, bools unwrapped)."""
    return value.value if isinstance(value, (_Located, YScalar)) else value


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


def read_yaml(path: Path, shown: str, as_written: bool = False):
    """Parse one YAML file; `shown` is the path printed in diagnostics.

    With `as_written`, plain scalars YAML would re-type are YScalar (text as written, typed `.value`);
    without, they are typed values as YAML reads them (what brand.yaml's reader expects)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ReportError([Diagnostic(Loc(shown), "file not found; create it or fix the name that points to it")])
    except UnicodeDecodeError as e:
        raise ReportError([Diagnostic(Loc(shown), f"not UTF-8 text ({e.reason} at byte {e.start}); save it as UTF-8")])
    loader = _Loader(text)
    try:
        _screen(text, shown)
        node = loader.get_single_node()
        if node is None:
            return None
        return _convert(loader, node, shown, as_written)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        loc = Loc(shown, mark.line + 1, mark.column + 1) if mark else Loc(shown)
        what = (e.problem or e.context or "invalid YAML").strip()
        raise ReportError([Diagnostic(loc, f"YAML syntax: {what}; check indentation and quoting (a value holding ': ' needs quotes or '>-')")])
    except yaml.YAMLError as e:
        raise ReportError([Diagnostic(Loc(shown), f"YAML syntax: {e}")])
    finally:
        loader.dispose()


def _screen(text: str, shown: str) -> None:
    """Refuse what could make reading a file explode: aliases (`*name`, which repeat a whole anchored
    value, so a few lines can stand for billions of values) and absurdly deep nesting. One pass over
    libyaml's events, before anything is built."""
    depth = 0
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, yaml.AliasEvent):
            mark = event.start_mark
            raise ReportError([Diagnostic(Loc(shown, mark.line + 1, mark.column + 1), (
                f'YAML alias "*{event.anchor}" is not allowed in report files; write the value out in full '
                '(a value starting with "*" for emphasis must be quoted or written with ">-")'))])
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                mark = event.start_mark
                raise ReportError([Diagnostic(Loc(shown, mark.line + 1, mark.column + 1),
                                              f"nested more than {MAX_DEPTH} levels deep; flatten this part of the file")])
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1
