"""The fast .docx reader reads every document exactly as python-docx's object model does."""

from __future__ import annotations

import io
from pathlib import Path

import docx
import pytest
from docx.table import Table
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from qualcode.importers.docx_reader import read_docx
from tests.conftest import EXAMPLE


def _reference(data: bytes) -> tuple[str, set[str]]:
    """The same rules written against python-docx's public API (the reference)."""
    document = docx.Document(io.BytesIO(data))
    lines, labels = [], set()
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            runs = []
            for item in block.iter_inner_content():  # runs and hyperlinks, in order
                if isinstance(item, Run):
                    runs.append((item.text, bool(item.bold)))
                else:
                    runs.extend((r.text, bool(r.bold)) for r in item.runs)
            label_parts, i = [], 0
            while i < len(runs) and (runs[i][1] or (label_parts and not runs[i][0].strip())):
                label_parts.append(runs[i][0])
                i += 1
            label = "".join(label_parts).strip()
            rest = "".join(t for t, _ in runs[i:])
            if (label and len(label) <= 40 and ":" not in label.rstrip(":")
                    and (label.endswith(":") or rest.lstrip().startswith(":"))):
                if label.endswith(":"):
                    label = label[:-1].strip()
                else:
                    rest = rest.lstrip()[1:]
                if label and label[-1] not in ".!?":
                    labels.add(label)
                    lines.append(f"{label}: {rest.strip()}")
                    continue
            lines.append(block.text)
        elif isinstance(block, Table):
            for row in block.rows:
                cells = [c.text.strip() for c in row.cells]
                if len(cells) >= 2 and cells[0] and len(cells[0]) <= 40:
                    label = cells[0].rstrip(":").strip()
                    labels.add(label)
                    lines.append(f"{label}: {' '.join(cells[1:]).strip()}")
                else:
                    lines.append(" ".join(c for c in cells if c))
    return "\n".join(lines), labels


def _made_docx(tmp_path: Path) -> Path:
    d = docx.Document()
    d.add_heading("Intervju med rådgiver, Øya skole", level=1)
    p = d.add_paragraph()
    p.add_run("Intervjuer:").bold = True
    p.add_run(" Hva gjør dere for «alle» elevene?")
    p = d.add_paragraph()
    p.add_run("Rådgiver 1").bold = True
    p.add_run(": Vi kaller inn alle.\tTab og\nlinjeskift. ")
    p.add_run("Fet midt i").bold = True
    p.add_run(" teksten.")
    d.add_paragraph("Fortsettelse uten navn, med æøå og … (ler)")
    p = d.add_paragraph()
    p.add_run("Viktig!").bold = True
    p.add_run(" ikke en taler")
    table = d.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "Lærer 2"
    table.cell(0, 1).text = "Svar i en tabell."
    table.cell(1, 0).text = "Rektor:"
    table.cell(1, 1).text = "Enig."
    path = tmp_path / "laget.docx"
    d.save(path)
    return path


@pytest.mark.parametrize("name", [p.name for p in sorted(EXAMPLE.glob("*.docx"))])
def test_example_documents_read_like_python_docx(name):
    data = (EXAMPLE / name).read_bytes()
    assert read_docx(data, name) == _reference(data)


def test_constructed_document_reads_like_python_docx(tmp_path):
    data = _made_docx(tmp_path).read_bytes()
    text, labels = read_docx(data, "laget.docx")
    assert (text, labels) == _reference(data)
    assert labels == {"Intervjuer", "Rådgiver 1", "Lærer 2", "Rektor"}
    assert "Rådgiver 1: Vi kaller inn alle.\tTab og\nlinjeskift. Fet midt i teksten." in text
    assert "Viktig! ikke en taler" in text.splitlines()


def test_zip_without_document_is_refused(tmp_path):
    import zipfile

    from qualcode.domain.errors import InputFileError

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("hello.txt", "hei")
    with pytest.raises(InputFileError, match="no word/document.xml"):
        read_docx(buffer.getvalue(), "x.docx")
