"""The baseline of the HTTP benchmarks: a trivial FastAPI app, served exactly like threeflow."""

from __future__ import annotations

from fastapi import FastAPI

app = FastAPI()


@app.get("/health")
async def health() -> dict[str, str]:
    return {"status": "ok"}
