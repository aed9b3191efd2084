"""The HTTP face of the reference server: parse, delegate to the repository, render."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from doorcheck.server.brake import LoginBrake, LoginRefusedError, client_address
from doorcheck.server.limits import MAX_LOGIN_TEXT, InputError, parse_instant, parse_json
from doorcheck.server.repository import ApiError, StationRepository, missing

log = logging.getLogger(__name__)

_JSON_TYPES = ("application/json", "text/json", "text/plain")


class _Json(JSONResponse):
    def render(self, content: Any) -> bytes:
        # Umlauts stay readable, and no spaces: list answers can be tens of MB.
        return json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode()


def error_response(code: int, message: str, http_status: int) -> Response:
    return _Json(
        {"status": "error", "displayMessage": None, "errors": [{"code": code, "message": message}]},
        status_code=http_status,
    )


async def read_json_body(request: Request, limit: int, seconds: float) -> dict[str, Any]:
    """The request's JSON object, refusing oversized, mistyped and malformed bodies."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type and content_type not in _JSON_TYPES:
        raise ApiError(10, f"Invalid JSON provided (Content-Type {content_type!r}).", 415)
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise ApiError(40, f"Request body too large (at most {limit} bytes).", 413)
    body = bytearray()
    try:
        # uvicorn has no timeout for a body trickling in: this is the app's own.
        async with asyncio.timeout(seconds):
            async for chunk in request.stream():
                body.extend(chunk)
                if len(body) > limit:
                    raise ApiError(40, f"Request body too large (at most {limit} bytes).", 413)
    except TimeoutError:
        raise ApiError(
            10, f"The request body did not arrive within {seconds:g} seconds.", 408
        ) from None
    try:
        data = parse_json(bytes(body))
    except InputError as exc:
        raise ApiError(10, f"Invalid JSON provided ({exc}).") from None
    if not isinstance(data, dict):
        raise ApiError(10, "Invalid JSON provided (expected an object).")
    return data


Handler = Callable[[StationRepository, dict[str, Any], Request], Any]


def _require_text(data: dict[str, Any], *names: str) -> list[str]:
    absent = [n for n in names if not isinstance(data.get(n), str) or not data[n].strip()]
    if absent:
        raise missing(*absent)
    too_long = [n for n in names if len(data[n]) > MAX_LOGIN_TEXT]
    if too_long:
        raise ApiError(
            20, f"Parameter(s) longer than {MAX_LOGIN_TEXT} characters: " + ", ".join(too_long)
        )
    return [str(data[n]) for n in names]


def create_app(repository: StationRepository, brake: LoginBrake | None = None) -> Starlette:
    brake = brake or LoginBrake(repository.engine, repository.settings.clock)
    limit = repository.settings.max_body_bytes
    body_seconds = repository.settings.body_seconds

    def endpoint(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
        async def run(request: Request) -> Response:
            try:
                data = await read_json_body(request, limit, body_seconds)
                answer = await handler(repository, data, request)
            except ApiError as exc:
                return error_response(exc.code, exc.message, exc.http_status)
            except ClientDisconnect:
                # The client hung up mid-request (a kiosk killed, a network gone): not
                # the server's error, and nobody is left to read an answer.
                log.info("client left during a request to %s", request.url.path)
                return Response(status_code=400)
            except Exception:
                # Logged once here: left to Starlette, the traceback is logged twice
                # (by its handler and again by uvicorn).
                log.exception("unhandled error on %s", request.url.path)
                return error_response(0, "Internal server error.", 500)
            if isinstance(answer, Iterator):  # guest lists, rendered as they stream
                return StreamingResponse(answer, media_type="application/json")
            return _Json(answer)

        return run

    async def login(repo: StationRepository, data: dict[str, Any], request: Request) -> Any:
        event_id, app_code, station_name = _require_text(data, "eventId", "apiKey", "stationName")
        device = data.get("deviceId") if isinstance(data.get("deviceId"), str) else None
        if device is not None and len(device) > MAX_LOGIN_TEXT:
            raise ApiError(20, f"deviceId is longer than {MAX_LOGIN_TEXT} characters.")
        address = client_address(
            request.client.host if request.client else None,
            request.headers.get("x-forwarded-for"),
            brake.settings.trusted_proxies,
        )
        subjects = brake.subjects(address, event_id, station_name)
        try:
            attempt = await run_in_threadpool(brake.admit, subjects)
        except LoginRefusedError as refused:
            seconds = int(refused.wait.total_seconds()) + 1
            raise ApiError(
                1030, f"Too many failed logins. Try again in {seconds} seconds.", 429
            ) from None
        try:
            answer = await run_in_threadpool(repo.login, event_id, app_code, station_name, device)
        except ApiError as exc:
            if exc.code not in (1000, 1010):  # the App Code was right
                await run_in_threadpool(brake.succeeded, attempt)
            raise
        await run_in_threadpool(brake.succeeded, attempt)
        return answer

    async def logout(repo: StationRepository, data: dict[str, Any], _: Request) -> Any:
        await run_in_threadpool(repo.logout, data.get("sessionToken"))
        return {"status": "success"}

    async def list_all(repo: StationRepository, data: dict[str, Any], _: Request) -> Any:
        return await run_in_threadpool(repo.list_guests, data.get("sessionToken"), None)

    async def list_recent(repo: StationRepository, data: dict[str, Any], _: Request) -> Any:
        (raw_since,) = _require_text(data, "sinceDateTime")
        since = parse_instant(raw_since)
        if since is None:
            raise ApiError(20, "Required parameter(s) missing: sinceDateTime (not a date-time).")
        return await run_in_threadpool(repo.list_guests, data.get("sessionToken"), since)

    async def changes(repo: StationRepository, data: dict[str, Any], _: Request) -> Any:
        return await run_in_threadpool(
            repo.apply_changes, data.get("sessionToken"), data.get("changes")
        )

    async def health(_: Request) -> Response:
        return _Json({"status": "success"})

    async def not_found(request: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, HTTPException) else 500
        if status == 405:
            return error_response(50, f"{request.method} is not allowed here; use POST.", 405)
        return error_response(50, f"Unknown endpoint {request.url.path}.", status)

    async def server_error(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s", request.url.path)
        return error_response(0, "Internal server error.", 500)

    routes = [
        Route("/api/v1/login", endpoint(login), methods=["POST"]),
        Route("/api/v1/logout", endpoint(logout), methods=["POST"]),
        Route("/api/v1/guest/list/all", endpoint(list_all), methods=["POST"]),
        Route("/api/v1/guest/list/recent", endpoint(list_recent), methods=["POST"]),
        Route("/api/v1/guest/changes", endpoint(changes), methods=["POST"]),
        Route("/health", health, methods=["GET"]),
    ]
    return Starlette(
        routes=routes,
        middleware=[Middleware(GZipMiddleware, minimum_size=4096, compresslevel=1)],
        exception_handlers={404: not_found, 405: not_found, 500: server_error},
    )
