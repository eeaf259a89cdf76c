"""Static files for phones: Range, ETag, MIME types, caching, no traversal.

Contract
--------
* :func:`safe_path` maps a URL path onto a file strictly inside a root folder:
  no ``..``, no absolute or drive paths, no backslashes or NUL, no dotfiles,
  and the *resolved* path (symlinks followed) must still be inside the root
  and must not be, or be inside, a dot-file or dot-folder either.
  Anything else is "not found".
* :func:`parse_range` implements single byte ranges (``bytes=a-b``, ``a-``,
  ``-n``) as RFC 9110 says; several ranges are answered with the whole file
  (allowed by the RFC); an unsatisfiable one gives 416, and so does one with a
  number of more than ``MAX_RANGE_DIGITS`` digits (no file is that big).
* :func:`file_response` answers GET and HEAD with ``ETag``, ``Accept-Ranges``,
  ``Last-Modified``, the MIME type, ``If-None-Match`` -> 304, ``If-Range`` and
  ``Range`` -> 206.  iOS media elements need the 206 answers.
* Content-addressed files (a sha256 in the manifest) get the sha256 as their
  strong ETag and ``Cache-Control: public, max-age=31536000, immutable``;
  other files are revalidated (``no-cache``) with an ETag of size and mtime.
"""

from __future__ import annotations

import mimetypes
import re
from email.utils import formatdate
from pathlib import Path, PurePosixPath

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

CHUNK = 64 * 1024
MAX_RANGE_DIGITS = 18
"""Range numbers longer than this (10**18 bytes) are unsatisfiable: 416, never int() of 5,000 digits."""
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"

MIME = {
    ".mp3": "audio/mpeg", ".m4a": "audio/mp4", ".aac": "audio/aac", ".ogg": "audio/ogg", ".opus": "audio/ogg",
    ".wav": "audio/wav", ".vtt": "text/vtt; charset=utf-8", ".json": "application/json",
    ".webmanifest": "application/manifest+json", ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8", ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8", ".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg", ".webp": "image/webp", ".ico": "image/x-icon", ".txt": "text/plain; charset=utf-8",
    ".pdf": "application/pdf", ".wasm": "application/wasm", ".woff2": "font/woff2",
}


def mime_type(path: str | Path) -> str:
    suffix = PurePosixPath(str(path)).suffix.lower()
    if suffix in MIME:
        return MIME[suffix]
    guessed, _ = mimetypes.guess_type(str(path))
    return guessed or "application/octet-stream"


def clean_rel_path(url_path: str) -> str | None:
    """A normalized relative posix path, or None if it could escape or hide."""
    if not url_path or "\x00" in url_path or "\\" in url_path or len(url_path) > 1024:
        return None
    parts = url_path.split("/")
    if url_path.startswith("/") or re.match(r"^[A-Za-z]:", url_path):
        return None
    if any(p in ("", ".", "..") or p.startswith(".") for p in parts):
        return None
    return "/".join(parts)


def safe_path(root: Path, url_path: str) -> Path | None:
    """The regular file under ``root`` named by ``url_path``, or None."""
    rel = clean_rel_path(url_path)
    if rel is None:
        return None
    root = root.resolve()
    try:
        target = (root / rel).resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    if not target.is_relative_to(root) or not target.is_file():
        return None
    if any(part.startswith(".") for part in target.relative_to(root).parts):
        return None  # a symlink leading to a dot-file (the state file, .git, ...) inside the root
    return target


def parse_range(header: str | None, size: int) -> tuple[int, int] | str | None:
    """``(first, last)`` inclusive, ``"unsatisfiable"``, or None (serve all)."""
    if not header:
        return None
    match = re.fullmatch(r"\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*", header)
    if match is None:
        return None  # multiple or malformed ranges: ignore, send the whole file
    a, b = match.groups()
    if a == "" and b == "":
        return None
    if len(a) > MAX_RANGE_DIGITS or len(b) > MAX_RANGE_DIGITS:
        return "unsatisfiable"
    if a == "":
        n = int(b)
        if n == 0 or size == 0:
            return "unsatisfiable"
        return max(0, size - n), size - 1
    first = int(a)
    if b and first > int(b):
        return None  # invalid: ignore the header
    if first >= size:
        return "unsatisfiable"
    return first, min(int(b) if b else size - 1, size - 1)


def _etag_matches(header: str, etag: str) -> bool:
    if header.strip() == "*":
        return True
    weak = etag.removeprefix("W/")
    return any(tag.strip().removeprefix("W/") == weak for tag in header.split(","))


def _read(path: Path, first: int, length: int):
    with open(path, "rb") as fh:
        fh.seek(first)
        remaining = length
        while remaining > 0:
            chunk = fh.read(min(CHUNK, remaining))
            if not chunk:
                return
            remaining -= len(chunk)
            yield chunk


def file_response(request: Request, path: Path, *, sha256: str | None = None,
                  cache_control: str | None = None) -> Response:
    st = path.stat()
    size = st.st_size
    etag = f'"{sha256[:32]}"' if sha256 else f'"{size:x}-{st.st_mtime_ns:x}"'
    headers = {
        "ETag": etag,
        "Accept-Ranges": "bytes",
        "Last-Modified": formatdate(st.st_mtime, usegmt=True),
        "Cache-Control": cache_control or (IMMUTABLE if sha256 else REVALIDATE),
        "X-Content-Type-Options": "nosniff",
    }
    media = mime_type(path)
    inm = request.headers.get("if-none-match")
    if inm is not None and _etag_matches(inm, etag):
        return Response(status_code=304, headers=headers)
    rng = parse_range(request.headers.get("range"), size)
    if_range = request.headers.get("if-range")
    if rng is not None and if_range is not None and if_range.strip() != etag:
        rng = None  # the client's copy is stale: send everything
    if rng == "unsatisfiable":
        headers["Content-Range"] = f"bytes */{size}"
        return Response(status_code=416, headers=headers)
    status, first, length = 200, 0, size
    if isinstance(rng, tuple):
        first, last = rng
        status, length = 206, last - first + 1
        headers["Content-Range"] = f"bytes {first}-{last}/{size}"
    headers["Content-Length"] = str(length)
    if request.method == "HEAD":
        return Response(status_code=status, headers=headers, media_type=media)
    return StreamingResponse(_read(path, first, length), status_code=status, headers=headers, media_type=media)


def not_found(message: str = "not found") -> Response:
    return Response(message, status_code=404, media_type="text/plain; charset=utf-8",
                    headers={"Cache-Control": "no-store"})


__all__ = ["file_response", "safe_path", "parse_range", "mime_type", "not_found", "clean_rel_path"]
