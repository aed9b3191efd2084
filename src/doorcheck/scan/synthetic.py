"""Synthetic webcam frames of tickets: phone screens, print, and what goes wrong.

Made with the ``qrcode`` package and OpenCV, deterministic per seed. The demo's
ticket reel, the tests and the benchmarks use them, so none needs a camera.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

import cv2
import numpy as np
import qrcode

WIDTH, HEIGHT = 1280, 720


def qr(payload: str, module: int = 6, border: int = 4) -> np.ndarray:
    code = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=module, border=border
    )
    code.add_data(payload)
    code.make(fit=True)
    image = code.make_image(fill_color="black", back_color="white").get_image().convert("L")
    return np.array(image, dtype=np.uint8)


def background(seed: int = 1) -> np.ndarray:
    """A cluttered grey scene: gradients, shapes and sensor noise."""
    rng = np.random.default_rng(seed)
    x = np.linspace(0, 1, WIDTH)[None, :]
    y = np.linspace(0, 1, HEIGHT)[:, None]
    frame = (90 + 60 * x + 40 * y).astype(np.float32)
    for _ in range(25):
        cx, cy = rng.integers(0, WIDTH), rng.integers(0, HEIGHT)
        cv2.circle(
            frame, (int(cx), int(cy)), int(rng.integers(10, 80)), float(rng.integers(30, 220)), -1
        )
    frame += rng.normal(0, 6, frame.shape)
    return np.clip(frame, 0, 255).astype(np.uint8)


def place(
    frame: np.ndarray,
    code: np.ndarray,
    center: tuple[int, int],
    *,
    angle: float = 0.0,
    tilt: float = 0.0,
) -> np.ndarray:
    """Paste ``code`` rotated by ``angle`` degrees and tilted (perspective) at ``center``."""
    h, w = code.shape
    src = np.array([[0, 0], [w, 0], [w, h], [0, h]], dtype=np.float32)
    shrink = tilt * w
    dst = np.array(
        [[shrink, 0], [w - shrink, tilt * h], [w, h], [0, h - tilt * h]], dtype=np.float32
    )
    matrix = cv2.getPerspectiveTransform(src, dst)
    rotation = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    matrix = np.vstack([rotation, [0, 0, 1]]) @ matrix
    matrix[0, 2] += center[0] - w / 2
    matrix[1, 2] += center[1] - h / 2
    mask = cv2.warpPerspective(np.full_like(code, 255), matrix, (WIDTH, HEIGHT))
    warped = cv2.warpPerspective(code, matrix, (WIDTH, HEIGHT))
    out = frame.copy()
    out[mask > 128] = warped[mask > 128]
    return out


def phone_screen(code: np.ndarray, *, contrast: float = 1.0, seed: int = 1) -> np.ndarray:
    """A code as a phone shows it: a bright bezel, a pixel grid that beats with the
    camera's (moiré), reduced contrast."""
    pad = code.shape[0] // 5
    screen = cv2.copyMakeBorder(code, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=255)
    screen = cv2.copyMakeBorder(screen, 12, 12, 12, 12, cv2.BORDER_CONSTANT, value=20)
    h, w = screen.shape
    yy, xx = np.mgrid[0:h, 0:w]
    grid = 0.88 + 0.12 * np.cos(xx * 2.7) * np.cos(yy * 2.7)  # sub-pixel stripes: moiré
    level = 128 + (screen.astype(np.float32) - 128) * contrast
    return np.asarray(np.clip(level * grid, 0, 255), dtype=np.uint8)


def glare(
    frame: np.ndarray, center: tuple[int, int], radius: int = 120, strength: float = 140
) -> np.ndarray:
    h, w = frame.shape
    yy, xx = np.mgrid[0:h, 0:w]
    spot = np.exp(-((xx - center[0]) ** 2 + (yy - center[1]) ** 2) / (2 * radius**2))
    return np.asarray(np.clip(frame + strength * spot, 0, 255), dtype=np.uint8)


def blur(frame: np.ndarray, sigma: float) -> np.ndarray:
    return np.asarray(cv2.GaussianBlur(frame, (0, 0), sigma), dtype=np.uint8)


def jpeg(frame: np.ndarray, quality: int = 70) -> np.ndarray:
    ok, data = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, quality])
    assert ok
    decoded = cv2.imdecode(data, cv2.IMREAD_GRAYSCALE)
    assert decoded is not None
    return np.asarray(decoded, dtype=np.uint8)


def ticket_frame(
    payload: str,
    *,
    module: int = 5,
    angle: float = 8.0,
    tilt: float = 0.04,
    phone: bool = True,
    seed: int = 1,
) -> np.ndarray:
    """A typical door frame: a phone with the ticket, slightly turned, JPEG'd."""
    code = qr(payload, module)
    shown = phone_screen(code, seed=seed) if phone else code
    frame = place(background(seed), shown, (WIDTH // 2, HEIGHT // 2), angle=angle, tilt=tilt)
    return jpeg(blur(frame, 0.8))


def write_video(path: str, frames: Iterable[np.ndarray], fps: float = 15.0) -> None:
    """Motion-JPEG in AVI: OpenCV writes it everywhere without extra codecs."""
    writer = cv2.VideoWriter(path, cv2.VideoWriter.fourcc(*"MJPG"), fps, (WIDTH, HEIGHT))
    if not writer.isOpened():
        raise OSError(f"cannot write a video to {path}")
    try:
        for frame in frames:
            writer.write(cv2.cvtColor(frame, cv2.COLOR_GRAY2BGR))
    finally:
        writer.release()


def ticket_reel(
    codes: Sequence[str],
    path: str,
    *,
    fps: float = 15.0,
    seconds_each: float = 2.0,
    gap: float = 1.0,
) -> None:
    """The demo's "camera": each ticket shown on a phone for a while, then nobody.

    Angles and positions vary, as at a real door.
    """

    def frames() -> Iterator[np.ndarray]:
        empty = jpeg(background(99))
        for index, code in enumerate(codes):
            shown = ticket_frame(
                code, angle=(index * 17) % 40 - 20, seed=index, tilt=0.02 * (index % 3)
            )
            yield from [shown] * int(seconds_each * fps)
            yield from [empty] * int(gap * fps)

    write_video(path, frames(), fps)
