"""A synthetic corpus of heritage records for benchmarks (``manage.py generate_corpus``).

``words`` holds the word lists, ``records`` composes one record, ``bulk`` writes
batches of them as rows, ``service`` ties it together (site, taxonomies, progress,
clearing and Wagtail's search index).
"""
