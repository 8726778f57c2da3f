"""Length-prefixed frames over raw pipe file descriptors.

A frame is an 8-byte big-endian length followed by that many bytes of
codec data. Both sides use plain os.read/os.write on dedicated fds, never
stdin/stdout, because student code prints.

Student code runs in the worker and can write to its reply pipe, so the
trusted side takes nothing on trust: a frame announcing more than
``max_bytes`` (codec.DEFAULT_MAX_BYTES, 16 MB; the largest legitimate reply
is 51 KB) is refused from its header, before any of it is buffered, and a
frame's payload is decoded only after codec.check_structure has bounded its
containers, items and depth.
"""
from __future__ import annotations

import os
import struct

from .codec import DEFAULT_MAX_BYTES, CodecError, decode, encode

_HEADER = struct.Struct(">Q")


class ChannelClosed(EOFError):
    """The other side closed its end of the pipe."""


def write_frame(fd: int, obj, *, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
    payload = encode(obj, max_bytes=max_bytes)
    _write_all(fd, _HEADER.pack(len(payload)) + payload)


def read_frame(fd: int, *, max_bytes: int = DEFAULT_MAX_BYTES):
    """Blocking read of one frame; raises ChannelClosed or CodecError."""
    (length,) = _HEADER.unpack(read_exactly(fd, _HEADER.size))
    if length > max_bytes:
        raise CodecError(f"incoming frame announces {length} bytes, above the {max_bytes}-byte limit")
    return decode(read_exactly(fd, length), max_bytes=max_bytes)


def read_exactly(fd: int, count: int) -> bytes:
    chunks, remaining = [], count
    while remaining:
        chunk = os.read(fd, min(remaining, 1 << 20))
        if not chunk:
            raise ChannelClosed("pipe closed")
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


class FrameReader:
    """Incremental, non-blocking frame parser for the supervisor's poll loop."""

    def __init__(self, max_bytes: int = DEFAULT_MAX_BYTES):
        self.max_bytes = max_bytes
        self._buffer = bytearray()

    def feed(self, data: bytes) -> None:
        self._buffer += data

    def pop_frame(self):
        """Return the decoded next frame, or None if it is incomplete.

        Raises CodecError when the stream is malformed or oversized.
        """
        if len(self._buffer) < _HEADER.size:
            return None
        (length,) = _HEADER.unpack_from(self._buffer)
        if length > self.max_bytes:
            raise CodecError(f"frame announces {length} bytes, above the {self.max_bytes}-byte limit")
        end = _HEADER.size + length
        if len(self._buffer) < end:
            return None
        payload = bytes(self._buffer[_HEADER.size:end])
        del self._buffer[:end]
        return decode(payload, max_bytes=self.max_bytes)

    @property
    def has_leftover(self) -> bool:
        return bool(self._buffer)
