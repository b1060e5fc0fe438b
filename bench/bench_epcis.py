"""EPCIS ingest cost per event: reading, schema validation and CBV 2.0 hashing.

The 42 vector documents of ``../shared/vectors/epcis`` (JSON-LD and XML, 92 events) are
read ``--repeat`` times. Each stage is timed alone, and then the whole of
``parse_document`` (read + validate + normalise + hash), so the figures show where the time
of an EPCIS capture goes before signing and storage. Prints figures; asserts nothing.

Run: ``.venv/bin/python -m bench.bench_epcis [--repeat 20] [--vectors DIR]``
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ledger.traceability.epcis import event_hash_id, parse_document
from ledger.traceability.epcis.document import json_events, load_json
from ledger.traceability.epcis.schema import validate_document, validate_events
from ledger.traceability.epcis.xml_reader import read_xml

DEFAULT_VECTORS = Path(__file__).resolve().parents[2] / "shared" / "vectors" / "epcis"
NOT_DOCUMENTS = ("expected_", "EPCIS-JSON-Schema", "epcis-context", "query-schema")


def _documents(vectors: Path) -> list[tuple[str, bytes]]:
    return [
        (p.name, p.read_bytes())
        for p in sorted(vectors.iterdir())
        if p.suffix in (".json", ".jsonld", ".xml") and not p.name.startswith(NOT_DOCUMENTS)
    ]


def _timed(label: str, events: int, run: Callable[[], Any]) -> float:
    start = time.perf_counter()
    run()
    elapsed = time.perf_counter() - start
    rate = events / elapsed if elapsed else float("inf")
    print(f"  {label:<38} {rate:>10,.0f} events/s  {1e6 / rate:>9,.1f} us/event")
    return elapsed


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--vectors", type=Path, default=DEFAULT_VECTORS)
    args = parser.parse_args(argv)

    docs = _documents(args.vectors) * args.repeat
    json_docs = [(n, d) for n, d in docs if not n.endswith(".xml")]
    xml_docs = [(n, d) for n, d in docs if n.endswith(".xml")]
    parsed_json = [load_json(d) for _, d in json_docs]
    normalised_json = [e for doc in parsed_json for e in json_events(doc)]
    normalised_xml = [e for _, d in xml_docs for e in read_xml(d)[1]]
    all_events = normalised_json + normalised_xml
    n_json, n_xml, n_all = len(normalised_json), len(normalised_xml), len(all_events)
    print(
        f"EPCIS ingest bench: {len(docs) // args.repeat} documents x {args.repeat} = "
        f"{len(docs)} documents, {n_all} events ({n_json} JSON-LD, {n_xml} XML)"
    )

    print("stages, alone:")
    _timed(
        "JSON parse + normalise", n_json, lambda: [json_events(load_json(d)) for _, d in json_docs]
    )
    _timed("XML read into JSON-LD shape", n_xml, lambda: [read_xml(d) for _, d in xml_docs])
    _timed(
        "schema validation (JSON documents)", n_json, lambda: _each(validate_document, parsed_json)
    )
    _timed("schema validation (XML events)", n_xml, lambda: validate_events(normalised_xml))
    _timed("CBV 2.0 hash ID", n_all, lambda: [event_hash_id(e) for e in all_events])
    _timed(
        "CBV 2.1 hash ID", n_all, lambda: [event_hash_id(e, algorithm="CBV2.1") for e in all_events]
    )

    print("parse_document, end to end:")
    _timed("JSON-LD documents", n_json, lambda: [parse_document(d) for _, d in json_docs])
    _timed("XML documents", n_xml, lambda: [parse_document(d) for _, d in xml_docs])
    total = _timed("all documents", n_all, lambda: [parse_document(d) for _, d in docs])
    size = sum(len(d) for _, d in docs)
    print(f"  throughput {size / total / 1e6:.2f} MB/s; largest event {_largest(all_events)} bytes")


def _each(check: Callable[[Any], None], items: list[Any]) -> None:
    for item in items:
        check(item)


def _largest(events: list[dict[str, Any]]) -> int:
    return max(len(json.dumps(e)) for e in events)


if __name__ == "__main__":
    main()
