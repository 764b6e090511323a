"""The preview rebuilds an edited edition in the same process and keeps the last good PDF on errors."""
import pytest

from conftest import pdf_text, squash
from reportkit.errors import ReportError
from reportkit.preview import Previewer


def test_preview_rebuilds_after_an_edit_and_survives_errors(example_copy, tmp_path):
    p = Previewer(example_copy, None, "dset", tmp_path / "out")
    path, _ = p.rebuild()
    assert "An edited paragraph" not in squash(pdf_text(path))
    f = example_copy / "findings.yaml"
    f.write_text(f.read_text().replace("The results in", "An edited paragraph. The results in"))
    path, _ = p.rebuild()
    assert "An edited paragraph" in squash(pdf_text(path))
    good = path.read_bytes()
    f.write_text(f.read_text().replace("[@tab-results] and", "[@missing] and"))
    with pytest.raises(ReportError):
        p.rebuild()
    assert path.read_bytes() == good
    assert set(p.watched()) >= {f, example_copy / "report.yaml"}
