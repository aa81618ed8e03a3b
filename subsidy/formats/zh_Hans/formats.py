"""Dates and numbers for Simplified Chinese pages (Django's own zh_Hans formats group
digits in fours without a separator, which reads badly in money columns). Every page
writes a date one way (2026年11月24日), tables included."""

DATE_FORMAT = "Y年n月j日"  # 2026年11月24日
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "Y年n月j日 H:i"  # 2026年11月24日 17:24
YEAR_MONTH_FORMAT = "Y年n月"
MONTH_DAY_FORMAT = "n月j日"
SHORT_DATE_FORMAT = DATE_FORMAT
SHORT_DATETIME_FORMAT = DATETIME_FORMAT
FIRST_DAY_OF_WEEK = 1
# ISO first: <input type="date"> sends and expects it.
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%Y/%m/%d", "%Y年%m月%d日"]
DATETIME_INPUT_FORMATS = ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y/%m/%d %H:%M"]
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
