"""Whatever `check` accepts, `build` builds; text is printed as written.

Each failure mode of loading, provoked in a copy of the example and met through `reportkit check`: a
non-zero exit, one located line per problem (file:line, what to do), never a traceback or an
"internal error"."""
import datetime
import struct
import zlib

import pytest

from reportkit.cli import main
from reportkit.inline import parse
from reportkit.load import image_problem, load
from reportkit.model import Cell, Emph, ListBlock, NoteRef, Para, Section, Span, Table, Text


def check(folder, capsys):
    code = main(["check", str(folder), "--no-glyphs"])
    out = capsys.readouterr()
    return code, out.out, out.err


def line_of(path, needle):
    lines = [i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in line]
    assert lines, needle
    return lines[0]


def one_located_error(err, name, line, *words):
    """stderr is exactly one diagnostic, at name:line, holding `words`."""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert f"{name}:{line}:" in lines[0] and ": error: " in lines[0], lines[0]
    assert "Traceback" not in err and "internal error" not in err, err
    for w in words:
        assert w in lines[0], (w, lines[0])
    return lines[0]


def add_blocks(chapter, text):
    """Append block lines (indented as items of the chapter's top-level `blocks:`) to a chapter file."""
    src = chapter.read_text(encoding="utf-8")
    head, sep, tail = src.partition("\nnotes:")
    chapter.write_text(head.rstrip("\n") + "\n" + text + (sep + tail if sep else ""), encoding="utf-8")


# ---------------------------------------------------------------- 1. aliases (billion laughs)

def test_yaml_aliases_are_refused_with_the_alias_line(example_copy, capsys):
    f = example_copy / "summary.yaml"
    # a small "billion laughs": 10**5 strings when expanded (10**9 with four more lines)
    bomb = ['lol0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, 6):
        bomb.append(f"lol{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
    f.write_text("\n".join(bomb) + "\n" + f.read_text(encoding="utf-8"), encoding="utf-8")
    code, _, err = check(example_copy, capsys)
    assert code == 1
    one_located_error(err, "summary.yaml", 2, 'YAML alias "*a0" is not allowed', "write the value out in full")


def test_a_full_billion_laughs_file_is_refused_at_once(example_copy, capsys):
    f = example_copy / "summary.yaml"
    bomb = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    prev = "a"
    for name in "bcdefghi":
        bomb.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 10) + "]")
        prev = name
    f.write_text("\n".join(bomb) + "\n", encoding="utf-8")
    code, _, err = check(example_copy, capsys)
    assert code == 1
    one_located_error(err, "summary.yaml", 2, "alias")


def test_absurd_nesting_is_a_located_error(example_copy, capsys):
    (example_copy / "summary.yaml").write_text("id: x\nblocks: " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
    code, _, err = check(example_copy, capsys)
    assert code == 1
    one_located_error(err, "summary.yaml", 2, "nested more than")


# ---------------------------------------------------------------- 2. include cycles

def test_a_file_including_itself_is_a_located_cycle(example_copy, capsys):
    (example_copy / "part.yaml").write_text("blocks:\n  - p: A part.\n  - include: part.yaml\n", encoding="utf-8")
    add_blocks(example_copy / "method.yaml", "  - include: part.yaml\n")
    code, _, err = check(example_copy, capsys)
    assert code == 1
    one_located_error(err, "part.yaml", 3, "include cycle: part.yaml -> part.yaml", "remove this include")


def test_an_include_cycle_through_another_file_names_the_cycle(example_copy, capsys):
    (example_copy / "part-a.yaml").write_text("blocks:\n  - include: part-b.yaml\n", encoding="utf-8")
    (example_copy / "part-b.yaml").write_text("blocks:\n  - p: B.\n  - include: part-a.yaml\n", encoding="utf-8")
    add_blocks(example_copy / "method.yaml", "  - include: part-a.yaml\n")
    code, _, err = check(example_copy, capsys)
    assert code == 1
    one_located_error(err, "part-b.yaml", 3, "include cycle: part-a.yaml -> part-b.yaml -> part-a.yaml")


def test_a_chapter_including_itself_is_a_cycle(example_copy, capsys):
    add_blocks(example_copy / "method.yaml", "  - include: method.yaml\n")
    code, _, err = check(example_copy, capsys)
    assert code == 1
    line = line_of(example_copy / "method.yaml", "include: method.yaml")
    one_located_error(err, "method.yaml", line, "include cycle: method.yaml -> method.yaml")


def test_the_same_part_included_in_two_chapters_is_no_cycle(example_copy, capsys):
    (example_copy / "part.yaml").write_text("blocks:\n  - p: Shared.\n", encoding="utf-8")
    add_blocks(example_copy / "method.yaml", "  - include: part.yaml\n")
    add_blocks(example_copy / "findings.yaml", "  - include: part.yaml\n")
    code, out, err = check(example_copy, capsys)
    assert code == 0, out + err


# ---------------------------------------------------------------- 3. text as written

AS_WRITTEN = """  - p: 1.10
  - p: 0777
  - p: 12:30
  - p: yes
  - p: 2026-04-01
  - p: null
  - p: 1e3
  - p: 2026-02-30
  - p: .inf
  - section:
      title: 2.0
      numbered: yes
      blocks:
        - list:
            items: [1.10, no, '007', 12:30:45]
        - table:
            id: tab-as-written
            caption: 3.14159265358979323846
            columns:
              - {title: 0x1F, width: 2}
              - {title: off, align: right, width: 1.5}
            rows:
              - [1.10, 0777]
              - [~, 1_000]
"""


def test_plain_scalars_keep_the_characters_written(example_copy, capsys):
    add_blocks(example_copy / "findings.yaml", AS_WRITTEN)
    code, out, err = check(example_copy, capsys)
    assert code == 0, out + err
    chapter = next(c for c in load(example_copy).chapters if c.id == "ch-findings")
    paras = [b.text.source for b in chapter.blocks if isinstance(b, Para)]
    assert paras[-9:] == ["1.10", "0777", "12:30", "yes", "2026-04-01", "null", "1e3", "2026-02-30", ".inf"]
    section = chapter.blocks[-1]
    assert isinstance(section, Section) and section.title.source == "2.0" and section.numbered is True
    items = next(b for b in section.blocks if isinstance(b, ListBlock)).items
    assert [i.text.source for i in items] == ["1.10", "no", "007", "12:30:45"]
    table = next(b for b in section.blocks if isinstance(b, Table))
    assert table.caption.source == "3.14159265358979323846"
    assert [c.title.source for c in table.columns] == ["0x1F", "off"] and [c.width for c in table.columns] == [2.0, 1.5]
    cells = [[c.blocks[0].text.source if c.blocks else "" for c in r.cells] for r in table.rows]
    assert cells == [["1.10", "0777"], ["~", "1_000"]]
    assert all(isinstance(c, Cell) for r in table.rows for c in r.cells)


def test_notes_titles_and_metadata_keep_the_characters_written(example_copy, capsys):
    f = example_copy / "findings.yaml"
    add_blocks(f, "  - p: See note.[^n-time]\n")
    f.write_text(f.read_text(encoding="utf-8").replace("title: Findings", "title: 2026", 1) + "  n-time: 12:30\n",
                 encoding="utf-8")
    r = example_copy / "report.yaml"
    r.write_text(r.read_text(encoding="utf-8").replace("organization_short: EIPP", "organization_short: 0777")
                 .replace("subtitle: Every block", "subtitle: 1.10 Every block")
                 .replace("  - name: Lin Example", "  - name: 1.10"), encoding="utf-8")
    code, out, err = check(example_copy, capsys)
    assert code == 0, out + err
    report = load(example_copy)
    assert report.notes["n-time"].text.source == "12:30"
    assert next(c for c in report.chapters if c.id == "ch-findings").title.source == "2026"
    assert report.meta.organization_short == "0777"
    assert report.meta.subtitle.source.startswith("1.10 ")
    assert [a.name.plain() for a in report.meta.authors] == ["Ada Example", "1.10"]
    assert report.meta.date == datetime.date(2026, 3, 15)  # typed where a type is expected


def test_typed_keys_still_take_their_types(example_copy, capsys):
    f = example_copy / "method.yaml"
    text = f.read_text(encoding="utf-8")
    assert "ordered: true" in text
    f.write_text(text.replace("ordered: true", "ordered: 1.10", 1), encoding="utf-8")
    code, _, err = check(example_copy, capsys)
    assert code == 1
    one_located_error(err, "method.yaml", line_of(f, "ordered: 1.10"), '"ordered" must be true or false, not a number')


def test_an_impossible_date_is_a_located_error(example_copy, capsys):
    r = example_copy / "report.yaml"
    r.write_text(r.read_text(encoding="utf-8").replace("date: 2026-03-15", "date: 2026-02-30"), encoding="utf-8")
    code, _, err = check(example_copy, capsys)
    assert code == 1
    one_located_error(err, "report.yaml", line_of(r, "date: 2026-02-30"), '"date" must be an ISO date')


# ---------------------------------------------------------------- 4. unknown escapes keep their backslash

def test_a_backslash_before_an_ordinary_character_is_printed(example_copy, capsys):
    add_blocks(example_copy / "findings.yaml", "  - p: Files live in C:\\Users\\dset and \\*stars\\* stay \\\\ literal.\n")
    code, out, err = check(example_copy, capsys)
    assert code == 0, out + err
    chapter = next(c for c in load(example_copy).chapters if c.id == "ch-findings")
    para = [b for b in chapter.blocks if isinstance(b, Para)][-1]
    assert list(para.text.nodes) == [Text("Files live in C:\\Users\\dset and *stars* stay \\ literal.")]


# ---------------------------------------------------------------- 5. images engines cannot draw

def png_bytes(width=4, height=4) -> bytes:
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def jpeg_bytes() -> bytes:
    from PIL import Image
    import io

    buf = io.BytesIO()
    Image.new("RGB", (16, 16), "red").save(buf, "JPEG")
    return buf.getvalue()


BAD_IMAGES = {
    "text named .png": ("flow.png", lambda: b"this is not an image\n", "is not a PNG file (its content is text)"),
    "truncated png": ("flow.png", lambda: png_bytes()[:-20], "is cut short (an incomplete PNG file"),
    "jpeg named .png": ("flow.png", jpeg_bytes, "is not a PNG file but a JPEG file; rename it to .jpg"),
    "truncated jpeg": ("flow.jpg", lambda: jpeg_bytes()[:-30], "is cut short (an incomplete JPEG file"),
    "empty jpeg": ("flow.jpeg", lambda: b"", "is an empty file"),
    "svg not well-formed": ("flow.svg", lambda: b'<svg xmlns="http://www.w3.org/2000/svg"><g></svg>\n',
                            "is not well-formed XML (mismatched tag: line 1"),
    "svg that is html": ("flow.svg", lambda: b"<html><body>oops</body></html>\n", "is XML but not SVG (its root element is <html>"),
    "svg that is text": ("flow.svg", lambda: b"not xml at all", "is not well-formed XML"),
}


@pytest.mark.parametrize("case", BAD_IMAGES)
def test_a_broken_image_is_a_located_error_at_check(example_copy, capsys, case):
    name, content, words = BAD_IMAGES[case]
    (example_copy / "figures" / name).write_bytes(content())
    f = example_copy / "method.yaml"
    f.write_text(f.read_text(encoding="utf-8").replace("figures/flow.svg", f"figures/{name}"), encoding="utf-8")
    code, _, err = check(example_copy, capsys)
    assert code == 1
    one_located_error(err, "method.yaml", line_of(f, f"figures/{name}"), f'image "figures/{name}" {words}')


def test_a_broken_language_version_of_an_image_is_a_located_error(example_copy, capsys):
    (example_copy / "figures" / "flow.zh-Hant.svg").write_text("<svg><text>未完", encoding="utf-8")
    code, _, err = check(example_copy, capsys)
    assert code == 1
    f = example_copy / "method.yaml"
    one_located_error(err, "method.yaml", line_of(f, "figures/flow.svg"),
                      'image "figures/flow.zh-Hant.svg" (the zh-Hant version of "figures/flow.svg") is not well-formed XML')


def test_good_images_pass(tmp_path):
    (tmp_path / "a.png").write_bytes(png_bytes())
    (tmp_path / "a.jpg").write_bytes(jpeg_bytes() + b"\x00\x00")  # padding after the end marker is fine
    (tmp_path / "a.svg").write_text('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>\n')
    assert [image_problem(tmp_path / n) for n in ("a.png", "a.jpg", "a.svg")] == [None, None, None]


def test_the_flagship_images_pass():
    from conftest import FLAGSHIP

    images = [p for p in (FLAGSHIP / "figures").iterdir() if p.suffix in (".svg", ".png", ".jpg")]
    assert images and {p.name: image_problem(p) for p in images} == {p.name: None for p in images}


# ---------------------------------------------------------------- 6. Chinese without a language span

def spans(nodes):
    return [(n.lang, "".join(c.text for c in n.children)) for n in nodes if isinstance(n, Span)]


def test_tag_runs_on_flagship_notes():
    from reportkit.langtag import tag_runs

    # n177 (Simplified), n136 (Traditional): the shared 中美 follows the rest of the note
    n177 = parse('Li Wei 李伟, "中美 AI 竞争, 未来谁主沉浮? \\[In the AI Competition between China and the US, '
                 'Who Will Prevail in the Future?\\]," January 14, 2026.')
    assert spans(tag_runs(n177, "en")) == [("zh-Hans", "李伟"), ("zh-Hans", "中美"), ("zh-Hans", "竞争, 未来谁主沉浮")]
    n136 = parse('Li Wei 李偉, " 中美 AI 競爭, 未來誰主沉浮? \\[In the AI Competition between China and the US, '
                 'Who Will Prevail in the Future?\\]," January 14, 2026.')
    out = tag_runs(n136, "en")
    assert spans(out) == [("zh-Hant", "李偉"), ("zh-Hant", "中美"), ("zh-Hant", "競爭, 未來誰主沉浮")]
    assert "".join(n.text if isinstance(n, Text) else n.children[0].text for n in out) == n136[0].text

    # n148: a Traditional name, then a Simplified title; full-width and ASCII punctuation inside runs
    n148 = parse('Saibochanxin 賽博禪心, "独家实录 | 唐杰、杨植麟、林俊暘、姚顺雨 ...All Star 对话上, 大家聊了啥? '
                 '\\[Exclusive Transcript\\]," January 10, 2026.')
    assert spans(tag_runs(n148, "en")) == [("zh-Hant", "賽博禪心"), ("zh-Hans", "独家实录 | 唐杰、杨植麟、林俊暘、姚顺雨"),
                                           ("zh-Hans", "对话上, 大家聊了啥")]

    # n140: 台 (written 台 in Taiwan too) is no evidence of Simplified
    n140 = parse('Shen Pengda 沈朋達, "科技制裁擋不住! 深圳長出機器人谷, 中國機器人進台積、富士康打工 \\[Technological '
                 'Sanctions Can\'t Stop It!\\]," Commonwealth Magazine 天下雜誌, September 2, 2025.')
    assert [lang for lang, _ in spans(tag_runs(n140, "en"))] == ["zh-Hant"] * 3

    # n164: quotes inside the run stay inside; n156: a parenthesis closed after the run joins it
    n164 = parse('China Securities Journal 中国证券报, "国资基金加速布局战新产业 \'耐心资本\' 赋能新质生产力 \\[State-Owned\\]."')
    assert spans(tag_runs(n164, "en"))[1] == ("zh-Hans", "国资基金加速布局战新产业 '耐心资本' 赋能新质生产力")
    n156 = parse('Qu Zhehan 曲哲涵, "更好發揮政府投資基金引導帶動作用 (政策解讀) \\[To Better Leverage\\],"')
    assert spans(tag_runs(n156, "en"))[1] == ("zh-Hant", "更好發揮政府投資基金引導帶動作用 (政策解讀)")


def test_tag_runs_leaves_spans_refs_and_chinese_text_alone():
    from reportkit.langtag import tag_runs

    nodes = parse("Leikeji [雷科技]{lang=zh-Hans}, *中国* **AI** 芯片[^n3] <https://example.org/中文>")
    before = list(nodes)
    out = tag_runs(nodes, "en")
    assert list(nodes) == before  # nothing mutated
    assert out[1] is nodes[1]  # the existing span, as it was
    assert isinstance(out[3], Emph) and spans(out[3].children) == [("zh-Hans", "中国")]
    assert ("zh-Hans", "芯片") in spans(out) and any(isinstance(n, NoteRef) for n in out)
    assert out[-1] is nodes[-1]  # an autolink shows its URL as it is
    assert tag_runs(nodes, "zh-Hant") == list(nodes) and tag_runs(nodes, "zh") == list(nodes)
    assert tag_runs(parse("No Chinese here."), "en") == parse("No Chinese here.")
    assert spans(tag_runs(parse("全球 and 中美"), "en")) == [("zh", "全球"), ("zh", "中美")]  # no evidence either way
