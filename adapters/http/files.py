"""Library files at the edge, shared by the API and the pages: the file store of an
engine's settings, storing a checked upload, answering with a stored file, and the
check made before an upload is stored at all."""

from __future__ import annotations

from urllib.parse import quote
from uuid import UUID

from fastapi.responses import Response
from starlette.datastructures import UploadFile

from adapters.filestore import FileStore, UploadRefused
from adapters.http.errors import InvalidInput
from aggregates.resource import StoredFile
from aggregates.tokens import Principal
from engine.application import QIEngine
from engine.authorization import authorize_library_write


def file_store(engine: QIEngine) -> FileStore:
    return FileStore(engine.settings.files_folder)


def may_share(engine: QIEngine, principal: Principal, collaborative_id: UUID) -> None:
    """Refuse before the file is stored: who may add here, and that the collaborative exists."""
    authorize_library_write(principal, collaborative_id, engine)
    engine.collaborative(collaborative_id)


def store_upload(engine: QIEngine, upload: UploadFile) -> StoredFile:
    try:
        return file_store(engine).put(upload.file, upload.filename or "upload")
    except UploadRefused as refused:
        raise InvalidInput(["body", "file"], f"upload refused: {refused}") from None


def file_response(engine: QIEngine, stored: StoredFile) -> Response:
    """The stored file, read back only if it still matches its SHA-256 (else the store's 409)."""
    data = file_store(engine).read(stored)
    fallback = stored.filename.encode("ascii", "replace").decode().replace('"', "'")
    disposition = f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(stored.filename)}"
    headers = {
        "Content-Disposition": disposition,
        "X-Content-Type-Options": "nosniff",
        "ETag": f'"{stored.sha256}"',
    }
    return Response(data, media_type=stored.media_type, headers=headers)
