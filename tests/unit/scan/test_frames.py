"""Pictures whose header claims more pixels than a door can hold are refused from the
header, in words, before anything is decoded; the files after them are still read
(`doorcheck decode`, and a folder of pictures used as a camera)."""

from __future__ import annotations

import struct
import subprocess
import sys
import zlib
from pathlib import Path

import cv2
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from doorcheck.scan import synthetic as F
from doorcheck.scan.decoder import Decoder
from doorcheck.scan.frames import MAX_IMAGE_PIXELS, FrameSourceError, folder_frames, read_image

TICKET = "DC-BIG-1"


def huge_jpeg(path: Path, width: int = 65500, height: int = 65500) -> Path:
    """A small real JPEG whose frame header (SOF0) claims ``width`` x ``height``."""
    ok, encoded = cv2.imencode(".jpg", F.ticket_frame(TICKET))
    assert ok
    data = bytearray(encoded.tobytes())
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", height, width)
    path.write_bytes(bytes(data))
    return path


def huge_png(path: Path, width: int = 30000, height: int = 30000) -> Path:
    """A small real PNG whose header chunk (IHDR) claims ``width`` x ``height``."""
    ok, encoded = cv2.imencode(".png", F.ticket_frame(TICKET))
    assert ok
    data = bytearray(encoded.tobytes())
    body = struct.pack(">II", width, height) + bytes(data[24:29])  # depth, colour, ...
    chunk = b"IHDR" + body
    data[12:33] = chunk + struct.pack(">I", zlib.crc32(chunk))
    path.write_bytes(bytes(data))
    return path


def test_decode_refuses_huge_pictures_by_their_header_and_reads_the_rest(
    tmp_path: Path,
) -> None:
    jpeg, png = huge_jpeg(tmp_path / "huge.jpg"), huge_png(tmp_path / "huge.png")
    ticket = tmp_path / "ticket.png"
    cv2.imwrite(str(ticket), F.ticket_frame(TICKET))
    result = subprocess.run(
        [sys.executable, "-m", "doorcheck", "decode", str(jpeg), str(png), str(ticket)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"{ticket}: QR Code: '{TICKET}'\n"
    said = result.stderr.splitlines()
    assert [line.split(" is too large")[0] for line in said] == [str(jpeg), str(png)]
    assert all("pictures of up to 50 megapixels are read" in line for line in said)
    assert "Traceback" not in result.stderr


def test_the_bound_is_the_header_product(tmp_path: Path) -> None:
    # One pixel over the bound by its header is refused; the check is on width x height.
    width = 10_000
    height = MAX_IMAGE_PIXELS // width + 1
    with pytest.raises(FrameSourceError, match=rf"too large \({width} x {height} pixels\)"):
        read_image(huge_jpeg(tmp_path / "over.jpg", width, height))


def test_a_folder_camera_skips_a_huge_picture_and_shows_the_rest(tmp_path: Path) -> None:
    huge_jpeg(tmp_path / "0-huge.jpg")
    cv2.imwrite(str(tmp_path / "1-ticket.png"), F.ticket_frame(TICKET))
    frames = list(folder_frames(tmp_path))
    assert [code.text for frame in frames for code in Decoder().decode(frame)] == [TICKET]


def test_a_folder_of_only_unreadable_pictures_says_so(tmp_path: Path) -> None:
    huge_png(tmp_path / "0-huge.png")
    (tmp_path / "1-broken.jpg").write_bytes(b"\xff\xd8 not really")
    with pytest.raises(FrameSourceError, match="holds no image this program can read"):
        next(folder_frames(tmp_path, loop=True))


MAGIC = st.sampled_from(
    [b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", b"\xff\xd8\xff\xe0", b"\xff\xd8\xff\xc0\x00\x11\x08",
     b"BM", b"II*\x00", b"MM\x00*", b"RIFF\x00\x00\x00\x00WEBPVP8 ", b"GIF89a", b""]
)  # fmt: skip


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(magic=MAGIC, rest=st.binary(max_size=400), suffix=st.sampled_from([".png", ".jpg", ".tif"]))
def test_any_bytes_as_a_picture_give_a_picture_or_words(
    tmp_path_factory: pytest.TempPathFactory, magic: bytes, rest: bytes, suffix: str
) -> None:
    path = tmp_path_factory.mktemp("pictures") / f"ticket{suffix}"
    path.write_bytes(magic + rest)
    try:
        image = read_image(path)
    except FrameSourceError as exc:
        assert str(path) in str(exc)
    else:
        assert image.shape[0] * image.shape[1] <= MAX_IMAGE_PIXELS
