"""Benchmarks that print figures; they assert nothing and are never run as tests."""
