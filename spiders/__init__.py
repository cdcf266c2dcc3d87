"""The project's Scrapy spiders (found through ``SPIDER_MODULES`` in ``archiver.settings``)."""
