"""Development-only tools: installed by the development, test and benchmark settings, never in production.

``corpus`` writes a synthetic corpus of heritage records for benchmarks (``manage.py generate_corpus``).
"""
