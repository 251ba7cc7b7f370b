"""Scrapy's stats, written as JSON where Bosun reads them.

Bosun runs every spider (its own and a user's) with STATS_CLASS pointing here, so the counts it
reports (pages, items, errors by status, why the crawl stopped) come from Scrapy itself and not
from parsing its log. The file is written when the spider closes; a run killed before that has
no stats file, which Bosun treats as "nothing to record".
"""

import datetime
import json
import os
import resource

from scrapy.statscollectors import MemoryStatsCollector


def _plain(value):
    if isinstance(value, (datetime.datetime, datetime.date)):
        return value.isoformat()
    return value


class JsonFileStatsCollector(MemoryStatsCollector):
    def __init__(self, crawler):
        super().__init__(crawler)
        self._target = crawler.settings.get("BOSUN_STATS_FILE")

    def _persist_stats(self, stats, spider):
        super()._persist_stats(stats, spider)
        if not self._target:
            return
        # CPU time spent by the crawl: on a busy machine, the measure that load does not distort.
        usage = resource.getrusage(resource.RUSAGE_SELF)
        stats["bosun/cpu_seconds"] = round(usage.ru_utime + usage.ru_stime, 3)
        tmp = self._target + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump({k: _plain(v) for k, v in stats.items()}, f)
        os.replace(tmp, self._target)
