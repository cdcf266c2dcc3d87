"""Scheduled crawling: what a run fetches, in what order, and with which manners.

The archive is the crawl's memory (Heritrix-style): it knows every article already
archived, when each was last visited and what the visits found, and which validators
(ETag / Last-Modified) each URL sent. This package turns that memory into the run's
frontier (``frontier``), decides when an article is due again (``revisit``), keeps two
runs from crawling one archive at once (``lock``), and holds the downloader middlewares
that make a run polite and complete (``manners``).
"""
