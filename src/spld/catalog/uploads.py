"""An upload handler that stops a form upload as soon as it passes SPLD_UPLOAD_MAX_BYTES."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadhandler import StopUpload, TemporaryFileUploadHandler

from spld.catalog import conf


class LimitedUploadHandler(TemporaryFileUploadHandler):
    """Streams to a temporary file on disk and aborts past the limit (no memory growth)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.limit = conf.upload_max_bytes()
        self.received = 0
        self.too_large = False

    def handle_raw_input(self, input_data: Any, META: Any, content_length: int,  # noqa: N803
                         boundary: Any, encoding: Any = None) -> None:
        # Raising here is not caught by Django's parser: flag it, stop at the first file.
        if content_length and content_length > self.limit + 64 * 1024:
            self.too_large = True

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        if self.too_large:
            raise StopUpload(connection_reset=False)
        super().new_file(*args, **kwargs)

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.received += len(raw_data)
        if self.received > self.limit:
            self.too_large = True
            raise StopUpload(connection_reset=False)
        return super().receive_data_chunk(raw_data, start)
