"""Files people hand in (an original letter sent on paper, an attachment): only .docx and .pdf, known by
their content, never by the name or the Content-Type a client claims."""

import io
import zipfile

from inspraak.domain.documents import DOCX_CONTENT_TYPE, PDF_CONTENT_TYPE

EXTENSIONS = {DOCX_CONTENT_TYPE: "docx", PDF_CONTENT_TYPE: "pdf"}


def sniff(data: bytes) -> str | None:
    """The content type of ``data`` when it is a PDF or a Word (.docx) document, else None."""
    if data.startswith(b"%PDF-"):
        return PDF_CONTENT_TYPE
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                names = set(z.namelist())
        except zipfile.BadZipFile:
            return None
        # A Word document is a zip with its content types and a main document part.
        if {"[Content_Types].xml", "word/document.xml"} <= names:
            return DOCX_CONTENT_TYPE
    return None
