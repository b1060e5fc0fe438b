"""One place maps domain errors to HTTP: ``{"error", "detail", "field"}`` with a 4xx status."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from finance_api.ratelimit import RateLimited
from ledger.core.errors import LedgerError


def error_body(code: str, detail: str, field: str | None) -> dict[str, Any]:
    return {"error": code, "detail": detail, "field": field}


def ledger_error_response(exc: LedgerError) -> JSONResponse:
    """A domain error as every route answers it (the fast path answers with it too)."""
    headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, RateLimited) else None
    return JSONResponse(
        error_body(exc.code, exc.detail, exc.field), status_code=exc.status, headers=headers
    )


def install(app: FastAPI) -> None:
    @app.exception_handler(LedgerError)
    async def _ledger_error(_request: Request, exc: LedgerError) -> JSONResponse:
        return ledger_error_response(exc)

    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {"loc": (), "msg": "invalid request"}
        loc = [str(part) for part in first.get("loc", ()) if part not in ("body", "query", "path")]
        return JSONResponse(
            error_body("invalid_request", str(first.get("msg")), ".".join(loc) or None),
            status_code=422,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        body_error = exc.status_code == 400 and "body" in str(exc.detail)
        return JSONResponse(
            error_body(
                "invalid_json" if body_error else "http_error",
                "the request body is not valid JSON" if body_error else str(exc.detail),
                "body" if body_error else None,
            ),
            status_code=exc.status_code,
            headers=getattr(exc, "headers", None),
        )
