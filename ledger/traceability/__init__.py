"""Traceability over captured EPCIS events: capture, query, trace with proofs, recall, authenticity.

``index`` derives the rows that make EPCIS events findable (pure); ``store`` reads and writes
them; ``capture`` turns an EPCIS document into signed ledger entries; ``graph`` walks item
links (pure); ``trace`` assembles a trace with inclusion proofs against one checkpoint and
``verify`` checks such a trace offline; ``recall`` and ``authenticity`` answer the recall
scope of a lot and whether an item's history can be true.
"""
