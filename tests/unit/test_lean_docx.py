"""Documents saved lean keep what they use and nothing of Word's default ballast."""

import io
import zipfile

from docx import Document

from red_header.lean_docx import lean_docx


def _document() -> Document:
    document = Document()
    document.add_heading("借款合同", level=1)  # Heading1 → based on Normal
    document.add_table(rows=1, cols=2).style = document.styles["Table Grid"]
    document.add_paragraph("甲方：", style="List Bullet")
    return document


def test_keeps_the_styles_in_use_and_their_chains():
    lean = Document(io.BytesIO(lean_docx(_document())))
    kept = {style.name for style in lean.styles}
    linked = "Heading 1 Char"
    assert {"Normal", "Heading 1", linked, "Table Grid", "List Bullet"} <= kept
    assert not {"Title", "Intense Quote"} & kept
    assert len(kept) < 20  # of 164
    assert lean.paragraphs[0].style.name == "Heading 1"
    assert lean.tables[0].style.name == "Table Grid"


def test_drops_the_default_template_ballast_and_its_references():
    with zipfile.ZipFile(io.BytesIO(lean_docx(_document()))) as package:
        names = set(package.namelist())
        manifest = package.read("[Content_Types].xml").decode()
        relationships = "".join(
            package.read(name).decode() for name in names if name.endswith(".rels")
        )
        styles = package.read("word/styles.xml").decode()
    assert not {n for n in names if "stylesWithEffects" in n or "customXml" in n}
    assert "docProps/thumbnail.jpeg" not in names
    assert "stylesWithEffects" not in manifest + relationships
    assert "customXml" not in manifest + relationships
    assert "thumbnail" not in relationships
    assert "latentStyles" not in styles


def test_is_byte_for_byte_repeatable():
    assert lean_docx(_document()) == lean_docx(_document())
