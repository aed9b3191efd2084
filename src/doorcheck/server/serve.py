"""Running the reference server on uvicorn, one process or several workers."""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from starlette.applications import Starlette

from doorcheck.server.app import create_app
from doorcheck.server.brake import BrakeSettings, LoginBrake
from doorcheck.server.connections import uvicorn_options
from doorcheck.server.db import create_schema, make_engine
from doorcheck.server.repository import ServerSettings, StationRepository

log = logging.getLogger(__name__)

ENV_DB = "DOORCHECK_SERVER_DB"
ENV_TOKEN_SECONDS = "DOORCHECK_SERVER_TOKEN_SECONDS"  # noqa: S105 - a variable name
# Comma-separated addresses of reverse proxies whose X-Forwarded-For is believed.
ENV_TRUSTED_PROXIES = "DOORCHECK_SERVER_TRUSTED_PROXIES"


@dataclass
class ServeOptions:
    db_url: str
    host: str = "127.0.0.1"
    port: int = 8470
    workers: int = 1
    token_lifetime: timedelta = timedelta(hours=24)
    log_level: str = "warning"
    # Addresses of reverse proxies whose X-Forwarded-For is believed (none: the
    # connection's own address counts for the login brake).
    trusted_proxies: tuple[str, ...] = ()


def open_repository(db_url: str, token_lifetime: timedelta | None = None) -> StationRepository:
    engine = make_engine(db_url)
    create_schema(engine)
    settings = ServerSettings()
    if token_lifetime is not None:
        settings.token_lifetime = token_lifetime
    return StationRepository(engine, settings)


def app_from_environment() -> Starlette:
    """uvicorn's factory for worker processes, configured by the parent's environment."""
    seconds = os.environ.get(ENV_TOKEN_SECONDS)
    lifetime = timedelta(seconds=float(seconds)) if seconds else None
    repository = open_repository(os.environ[ENV_DB], lifetime)
    brake = LoginBrake(repository.engine, repository.settings.clock, brake_settings_from_env())
    return create_app(repository, brake)


def brake_settings_from_env() -> BrakeSettings:
    proxies = os.environ.get(ENV_TRUSTED_PROXIES, "")
    trusted = frozenset(p.strip() for p in proxies.split(",") if p.strip())
    if trusted:
        log.info("X-Forwarded-For is believed from %s", ", ".join(sorted(trusted)))
    return BrakeSettings(trusted_proxies=trusted)


def bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto must say TCP: asyncio sets TCP_NODELAY on accepted connections only then,
    # and without it every keep-alive answer waits ~40 ms for a delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def serve(options: ServeOptions, on_listening: Callable[[str], None] | None = None) -> None:
    """Bind, report the URL once connections are accepted, and serve until stopped."""
    import uvicorn

    os.environ[ENV_DB] = options.db_url
    os.environ[ENV_TOKEN_SECONDS] = str(options.token_lifetime.total_seconds())
    if options.trusted_proxies:
        os.environ[ENV_TRUSTED_PROXIES] = ",".join(options.trusted_proxies)
    # Create the schema once here, so workers never race to create it.
    create_schema(make_engine(options.db_url))
    sock = bind(options.host, options.port)
    host, port = sock.getsockname()[:2]
    url = f"http://{'[' + host + ']' if ':' in host else host}:{port}"
    config = uvicorn.Config(
        "doorcheck.server.serve:app_from_environment",
        factory=True,
        workers=options.workers,
        log_level=options.log_level,
        access_log=False,
        server_header=False,
        timeout_graceful_shutdown=5,
        **uvicorn_options(),
    )
    server = uvicorn.Server(config)
    # The socket listens already: a client that connects now is served once ready.
    if on_listening is not None:
        on_listening(url)
    if options.workers > 1:
        from uvicorn.supervisors import Multiprocess

        Multiprocess(config, sockets=[sock]).run()
    else:
        server.run(sockets=[sock])


def default_data_dir() -> Path:
    from platformdirs import user_data_path

    return user_data_path("doorcheck-server", appauthor=False)


def serve_in_thread(repository: StationRepository) -> AbstractContextManager[str]:
    """The station server on a free loopback port in a thread of this process, for as
    long as the block runs; yields its URL. For ``doorcheck self-test``."""
    return serve_app_in_thread(create_app(repository))


@contextmanager
def serve_app_in_thread(app: Any) -> Iterator[str]:
    """Any ASGI app on a free loopback port in a thread, for as long as the block
    runs; yields its URL (the fake APIs of the connectors' tests use it too)."""
    import uvicorn

    sock = bind("127.0.0.1", 0)
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        app, log_level="critical", access_log=False, lifespan="off", **uvicorn_options()
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="doorcheck-server", daemon=True
    )
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            sock.close()
            raise RuntimeError("the in-process station server did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()
