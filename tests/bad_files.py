"""Files nobody should be able to import or upload: the corpus every file import is fed
(documents and evidence uploads, bank returns, the restore of a backup). Each import
must refuse each of them whole, with a clear message, and change nothing."""

from __future__ import annotations

import io
import zipfile

from PIL import Image

from subsidy.demo_data import TINY_PDF


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 120, 200)).save(out, format="PNG")
    return out.getvalue()


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 120, 200)).save(out, format="JPEG")
    return out.getvalue()


def _zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
    return out.getvalue()


def bad_files() -> list[tuple[str, bytes]]:
    """(what it is, its bytes)."""
    png, jpeg = _png(), _jpeg()
    return [
        ("binary", bytes(range(256)) * 64),
        ("empty", b""),
        ("only a BOM", b"\xef\xbb\xbf"),
        ("NUL bytes", b"\x00" * 4096),
        ("truncated PDF", TINY_PDF[: len(TINY_PDF) // 2]),
        ("PDF header and nothing else", b"%PDF-1.7\n"),
        ("truncated PNG", png[: len(png) // 2]),
        ("truncated JPEG", jpeg[: len(jpeg) // 2]),
        ("zip archive", _zip()),
        ("UTF-8 text with BOM", "\ufeff说明\r\n这不是银行回单\r\n".encode()),
        ("UTF-8 text without BOM", "说明\r\n这不是银行回单\r\n".encode()),
        ("GB18030 text", "说明\r\n这不是银行回单\r\n".encode("gb18030")),
        ("UTF-16 text", "reference,status\r\n".encode("utf-16")),
        ("one huge line", b"A" * 300_000),
        ("wrong columns", b"a;b;c;d;e;f;g;h;i;j\r\n" * 10),
        ("HTML page", b"<!doctype html><html><script>alert(1)</script></html>"),
        ("Windows program", b"MZ\x90\x00" + b"\x00" * 200),
        ("JSON list", b"[1, 2, 3]"),
    ]
