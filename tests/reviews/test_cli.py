"""`consortia export-review`: files, stdout, one-line errors with exit status 2."""

import io

from consortia.cli import main
from consortia.reviews import services
from tests.conftest import fresh


def test_it_writes_markdown_to_stdout(world, held, capsysbinary):
    services.entry_add(actor=fresh(world.member), review=held, kind="lesson", text="Start early")
    assert main(["export-review", str(held.pk), "--format", "md"]) == 0
    out = capsysbinary.readouterr().out.decode()
    assert "# Review of Shared sensors" in out and "Start early" in out


def test_it_writes_a_pdf_file(world, held, tmp_path, capsys):
    target = tmp_path / "review.pdf"
    assert main(["export-review", str(held.pk), "--format", "pdf", "--output", str(target)]) == 0
    from pypdf import PdfReader

    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(target.read_bytes())).pages)
    assert "Review of Shared sensors" in text


def test_bad_input_is_one_line_and_exit_2(db, held, capsys, tmp_path):
    for argv in (
        ["export-review", "abc"],
        ["export-review", "0"],
        ["export-review", "999999"],
        ["export-review", str(held.pk), "--format", "docx"],
        ["export-review", str(held.pk), "--output", str(tmp_path)],
    ):
        assert main(argv) == 2, argv
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "consortia export-review: error:" in err, err
