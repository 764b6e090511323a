import pytest

from reportkit.inline import InlineError, parse, placeholders
from reportkit.model import Emph, Link, NoteRef, Span, Strong, Text, XRef


def test_every_inline_kind():
    nodes = parse("a *b* **c** [d](https://x.org) <https://y.org> [^n1][^n2] [@t] [中]{lang=zh-Hant} \\*e")
    kinds = [type(n) for n in nodes]
    assert Emph in kinds and Strong in kinds and NoteRef in kinds and XRef in kinds and Span in kinds
    links = [n for n in nodes if isinstance(n, Link)]
    assert [(l.url, l.auto) for l in links] == [("https://x.org", False), ("https://y.org", True)]
    assert nodes[-1] == Text(" *e")


def test_markup_characters_are_literal_text():
    s = '#read("/etc/passwd") <script>x</script> $x$ @ref _u_ [sic] a * b'
    assert parse(s) == [Text(s)]


def test_unclosed_emphasis_is_an_error_with_offset():
    with pytest.raises(InlineError) as e:
        parse("ok *never closed")
    assert e.value.offset == 3


def test_unsafe_link_scheme_rejected():
    with pytest.raises(InlineError):
        parse("[x](javascript:alert(1))")


def test_placeholders_ignore_same_language_spans():
    src = parse("the idiom [四兩]{lang=zh-Hant}[^n1]")
    assert placeholders(src, "zh-Hant") == [("note", "n1")]
    assert ("span", "zh-Hant") in placeholders(src, "en")


def test_only_markup_characters_are_escapable():
    assert parse(r"C:\Users\dset \_x\_ \n") == [Text(r"C:\Users\dset \_x\_ \n")]
    assert parse(r"\*a\* \[b\] \\ \<c> end\\") == [Text("*a* [b] \\ <c> end\\")]
    assert parse(r"[a\]b](https://x.org)") == [Link("https://x.org", [Text("a]b")])]
