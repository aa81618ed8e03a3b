"""Dates and numbers for Traditional Chinese pages: written as in Simplified Chinese
(2026年3月5日, 1,234.56), Hong Kong usage included."""

from subsidy.formats.zh_Hans.formats import *  # noqa: F403 - the same formats, one place
