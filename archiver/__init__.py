"""archiver: a Scrapy-based archival pipeline for Japanese news blogs and their comment threads."""

__version__ = "0.1.0"
