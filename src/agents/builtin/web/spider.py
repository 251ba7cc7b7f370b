"""Bosun's one configurable spider for web.scrape.

It never runs code from its input: the JSON file named by `-a config=PATH` holds only data
(start URLs, allowed domains, selectors), and every selector goes to Scrapy's own CSS or XPath
engine. Limits (depth, pages, robots.txt, throttling) are Scrapy settings Bosun passes on the
command line, so they hold here exactly as they do for a user's spider.
"""

import json
import re
from urllib.parse import urlsplit

import scrapy
from scrapy.http import TextResponse
from scrapy.selector import Selector

# Attributes whose values are links: made absolute against the page they were found on.
_LINK_ATTR = re.compile(r"(::attr\((href|src)\)|/@(href|src))\s*$")
_MARKUP = re.compile(r"\b(html|xml)\b", re.I)


def _is_xpath(selector):
    """XPath when it starts with / or ( (or ./, relative to an item), CSS otherwise."""
    return selector.startswith(("/", "(", "./"))


def _select(node, selector):
    return node.xpath(selector) if _is_xpath(selector) else node.css(selector)


def _check(selectors):
    """A selector that does not parse stops the run before the first request, naming itself."""
    probe = Selector(text="<html></html>")
    for where, selector in selectors:
        try:
            _select(probe, selector)
        except Exception as err:  # parsel raises cssselect's and lxml's own error types
            kind = "XPath" if _is_xpath(selector) else "CSS"
            raise ValueError(f"{where}: {selector!r} is not a valid {kind} selector ({err})") from None


def _value(node, selector, response):
    parts = [" ".join(s.split()) for s in _select(node, selector).getall()]
    parts = [p for p in parts if p]
    if not parts:
        return None
    if _LINK_ATTR.search(selector):
        return response.urljoin(parts[0])
    return " ".join(parts)


class BosunConfigSpider(scrapy.Spider):
    name = "bosun"

    def __init__(self, config=None, **kwargs):
        super().__init__(**kwargs)
        with open(config, encoding="utf-8") as f:
            self.config = json.load(f)
        self.start_urls = self.config["start_urls"]
        self.allowed_domains = self.config.get("allowed_domains") or sorted(
            {urlsplit(u).hostname for u in self.start_urls if urlsplit(u).hostname}
        )
        item = self.config["item"]
        _check(
            [("item.selector", item["selector"])]
            + [(f"item.fields.{name}", sel) for name, sel in item["fields"].items()]
            + [("next_page", self.config["next_page"])] * bool(self.config.get("next_page"))
            + [("follow", sel) for sel in self.config.get("follow") or []]
        )

    def parse(self, response):
        stats = self.crawler.stats
        content_type = response.headers.get(b"Content-Type", b"").decode("latin-1")
        if not isinstance(response, TextResponse) or not _MARKUP.search(content_type or "html"):
            stats.inc_value("bosun/non_html_response_count")
            self.logger.warning("skipped %s: not HTML (%s)", response.url, content_type or "no content type")
            return
        stats.inc_value("bosun/page_parsed_count")
        item = self.config["item"]
        found = 0
        for node in _select(response, item["selector"]):
            found += 1
            record = {name: _value(node, sel, response) for name, sel in item["fields"].items()}
            record["_url"] = response.url
            yield record
        if not found:
            stats.inc_value("bosun/page_without_items_count")
        next_page = self.config.get("next_page")
        if next_page:
            yield from self._follow(response, next_page, priority=1)
        for selector in self.config.get("follow") or []:
            yield from self._follow(response, selector, priority=0)

    def _follow(self, response, selector, priority):
        # response.follow takes an <a> element or an attribute's text, whichever the selector picked.
        for link in _select(response, selector):
            try:
                yield response.follow(link, callback=self.parse, priority=priority)
            except ValueError:
                self.crawler.stats.inc_value("bosun/unfollowable_link_count")
