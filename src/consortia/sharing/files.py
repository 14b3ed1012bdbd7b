"""Checks on uploaded files: size, an allow-list of types, and the file's own first bytes.

The browser's declared content type and the file name are both claims; the bytes decide. A
file whose bytes do not match its claimed type ("disguised") is refused.
"""

import hashlib
import io
import os
import re

from django.conf import settings
from django.core.exceptions import ValidationError

DEFAULT_MAX_BYTES = 25 * 1024 * 1024

ZIP = b"PK\x03\x04"
# extension -> (content type stored and served, magic check)
TYPES = {
    ".pdf": ("application/pdf", "pdf"),
    ".png": ("image/png", "png"),
    ".jpg": ("image/jpeg", "jpeg"),
    ".jpeg": ("image/jpeg", "jpeg"),
    ".txt": ("text/plain", "text"),
    ".md": ("text/markdown", "text"),
    ".csv": ("text/csv", "text"),
    ".docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "zip",
    ),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "zip"),
    ".pptx": (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "zip",
    ),
    ".odt": ("application/vnd.oasis.opendocument.text", "zip"),
    ".ods": ("application/vnd.oasis.opendocument.spreadsheet", "zip"),
    ".odp": ("application/vnd.oasis.opendocument.presentation", "zip"),
}
ALLOWED = ", ".join(sorted(TYPES))
# Declared types that say nothing (a browser that does not know the type).
GENERIC = {"", "application/octet-stream", "binary/octet-stream"}
TEXT_ALIASES = {"text/plain", "text/markdown", "text/x-markdown", "text/csv", "application/csv"}


def max_upload_bytes() -> int:
    return int(getattr(settings, "SHARING_MAX_UPLOAD_BYTES", DEFAULT_MAX_BYTES))


def _magic_ok(check: str, head: bytes, data: bytes | None) -> bool:
    if check == "pdf":
        return head.startswith(b"%PDF-")
    if check == "png":
        return head.startswith(b"\x89PNG\r\n\x1a\n")
    if check == "jpeg":
        return head.startswith(b"\xff\xd8\xff")
    if check == "zip":
        return head.startswith(ZIP)
    if check == "text":
        try:
            text = (data or b"").decode("utf-8")
        except UnicodeDecodeError:
            return False
        return "\x00" not in text
    return False


def clean_filename(name: str) -> str:
    name = os.path.basename((name or "").replace("\\", "/")).strip()
    name = re.sub(r"[\x00-\x1f\x7f\"]", "", name)
    return name[:200]


def check_upload(upload) -> dict:
    """Validate an uploaded file; return what to store about it, or raise ValidationError."""
    if upload is None:
        raise ValidationError({"file": "Choose a file to upload."})
    filename = clean_filename(getattr(upload, "name", ""))
    if not filename:
        raise ValidationError({"file": "The file needs a name."})
    size = upload.size
    limit = max_upload_bytes()
    if size is None or size > limit:
        raise ValidationError(
            {"file": f"The file is larger than the limit of {limit // (1024 * 1024) or 1} MB."}
        )
    if size == 0:
        raise ValidationError({"file": "The file is empty."})
    ext = os.path.splitext(filename)[1].lower()
    if ext not in TYPES:
        raise ValidationError(
            {"file": f"Files of type “{ext or 'unknown'}” are not accepted; use {ALLOWED}."}
        )
    content_type, check = TYPES[ext]
    declared = (getattr(upload, "content_type", "") or "").split(";")[0].strip().lower()
    mismatch = declared not in GENERIC and declared != content_type
    if mismatch and not (check == "text" and declared in TEXT_ALIASES):
        raise ValidationError(
            {"file": f"The file says it is “{declared}” but its name says {ext}: refused."}
        )
    upload.seek(0)
    data = upload.read() if check == "text" else None
    if data is not None:
        head = data[:16]
    else:
        upload.seek(0)
        head = upload.read(16)
    if not _magic_ok(check, head, data):
        raise ValidationError(
            {
                "file": f"The file's content is not a real {ext} file (it looks disguised); "
                "it was refused."
            }
        )
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks() if hasattr(upload, "chunks") else [upload.read()]:
        digest.update(chunk)
    upload.seek(0)
    return {
        "filename": filename,
        "content_type": content_type,
        "size": size,
        "sha256": digest.hexdigest(),
        "text": extract_text(check, upload, data),
    }


def extract_text(check: str, upload, data: bytes | None) -> str:
    """Plain text for search: text files as they are, PDFs if pypdf is installed, else ''."""
    if check == "text" and data is not None:
        return data.decode("utf-8")[:1_000_000]
    if check == "pdf":
        try:
            from pypdf import PdfReader
        except ImportError:  # pragma: no cover - an optional dependency
            return ""
        try:
            upload.seek(0)
            reader = PdfReader(io.BytesIO(upload.read()))
            text = "\n".join((page.extract_text() or "") for page in reader.pages[:50])
        except Exception:  # a broken PDF is still a stored file, only without text
            text = ""
        finally:
            upload.seek(0)
        return text.replace("\x00", "")[:1_000_000]
    return ""
