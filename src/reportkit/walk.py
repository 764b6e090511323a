"""The one traversal of the document model, used by every stage.

Two ways in, both exhaustive:
- structural (`nodes`, `iter_rich`, `transform`): follow every dataclass field, so nothing that holds
  text or blocks can be skipped, whatever its kind;
- by kind (`BlockVisitor`, `InlineVisitor`): for stages whose work differs per kind (numbering,
  catalog context, writers). A visitor class must handle every kind, checked when the class is
  defined, and meeting a node of an unknown class is an error, never a silent skip.
"""
from __future__ import annotations

import dataclasses
import functools
from typing import Callable, Iterator

from . import model
from .errors import Loc
from .model import BLOCKS, INLINES, Rich


class UnknownNode(TypeError):
    """A stage met a node kind it does not handle (a reportkit bug, never a content error)."""


@functools.lru_cache(maxsize=None)
def _fields(cls) -> tuple | None:
    """The field names of a node class of the document model, None for any other type (looked up once
    per class: the traversal meets tens of thousands of nodes per edition)."""
    if cls.__module__ == model.__name__ and dataclasses.is_dataclass(cls):
        return tuple(f.name for f in dataclasses.fields(cls))
    return None


def _is_node(value) -> bool:
    """A node of the document model (locations and other dataclasses are values, not nodes)."""
    return _fields(type(value)) is not None


_PLAIN = (str, int, float, bool, type(None))


def _values(value):
    if isinstance(value, Rich):
        return []
    names = _fields(type(value))
    if names is not None:
        return [getattr(value, n) for n in names]
    if isinstance(value, _PLAIN):
        return []
    _refuse_foreign(value)
    if isinstance(value, (list, tuple)):
        return list(value)
    if isinstance(value, dict) or hasattr(value, "values") and hasattr(value, "keys"):
        return list(value.values())
    return []


def _refuse_foreign(value) -> None:
    """A structured value that is not a model node would be passed over: refuse it instead."""
    if dataclasses.is_dataclass(value) and not isinstance(value, (type, Loc)):
        raise UnknownNode(f"not a node of the document model: {type(value).__name__}")


def nodes(obj) -> Iterator:
    """Every node (block, item, row, cell, note...) reachable from `obj`, depth first in document order."""
    stack = [obj]
    while stack:
        value = stack.pop()
        if _is_node(value) and not isinstance(value, Rich):
            yield value
        stack.extend(reversed(_values(value)))


def blocks(obj) -> Iterator:
    """Every block reachable from `obj`, in document order."""
    return (n for n in nodes(obj) if isinstance(n, BLOCKS))


def iter_rich(obj) -> Iterator[tuple[Rich, object]]:
    """Every Rich reachable from `obj`, in document order, with the node that holds it."""
    stack = [(obj, None)]
    while stack:
        value, owner = stack.pop()
        if isinstance(value, Rich):
            yield value, owner
        else:
            holder = value if _is_node(value) else owner
            stack.extend(reversed([(v, holder) for v in _values(value)]))


def inlines(items) -> Iterator:
    """Every inline node of a node list, depth first."""
    for n in items:
        if not isinstance(n, INLINES):
            raise UnknownNode(f"unknown inline node {type(n).__name__}")
        yield n
        children = getattr(n, "children", None)
        if children:
            yield from inlines(children)


def transform(obj, rich: Callable | None = None, node: Callable | None = None):
    """A new tree: every Rich replaced by rich(r, owner), then every node by node(new, old), bottom up
    (`old` is the node as it was in `obj`, `new` the same node with its children already replaced).
    Subtrees that do not change are shared, never copied; nothing is written into `obj`."""
    return _transform(obj, None, rich, node)


def _transform(value, owner, rich, node):
    if isinstance(value, Rich):
        return rich(value, owner) if rich else value
    names = _fields(type(value))
    if names is not None:
        changes = {}
        for name in names:
            old = getattr(value, name)
            new = _transform(old, value, rich, node)
            if new is not old:
                changes[name] = new
        out = dataclasses.replace(value, **changes) if changes else value
        return node(out, value) if node else out
    if isinstance(value, _PLAIN):
        return value
    _refuse_foreign(value)
    if isinstance(value, (list, tuple)):
        new = [_transform(v, owner, rich, node) for v in value]
        return tuple(new) if any(a is not b for a, b in zip(new, value)) else value
    if hasattr(value, "keys") and hasattr(value, "values") and not isinstance(value, str):
        new = {k: _transform(v, owner, rich, node) for k, v in value.items()}
        if any(new[k] is not value[k] for k in value.keys()):
            from types import MappingProxyType

            return MappingProxyType(new)
        return value
    return value


def _dispatch(visitor, n, kinds, prefix):
    kind = getattr(type(n), "KIND", None)
    if type(n) not in kinds or kind is None:
        raise UnknownNode(f"{type(visitor).__name__} met a node it does not know: {type(n).__name__}")
    return getattr(visitor, prefix + kind)


def _check(cls, kinds, prefix) -> None:
    missing = [k.KIND for k in kinds if not callable(getattr(cls, prefix + k.KIND, None))]
    if missing:
        raise TypeError(f"{cls.__name__} does not handle {', '.join(missing)}: every stage must handle every kind")


class BlockVisitor:
    """Calls self.block_<kind>(block, *args) for each block; see the module docstring."""

    def __init_subclass__(cls, **kw):
        super().__init_subclass__(**kw)
        _check(cls, BLOCKS, "block_")

    def block(self, b, *args, **kw):
        return _dispatch(self, b, BLOCKS, "block_")(b, *args, **kw)


class InlineVisitor:
    """Calls self.inline_<kind>(node) for each inline node."""

    def __init_subclass__(cls, **kw):
        super().__init_subclass__(**kw)
        _check(cls, INLINES, "inline_")

    def inline(self, n, *args, **kw):
        return _dispatch(self, n, INLINES, "inline_")(n, *args, **kw)
