"""Dates and numbers for English pages, as written in Hong Kong and Britain, not
Django's American default. Every page writes a date one way (24 Nov 2026), tables
included: a numeric 03/12/2026 reads as 12 March to half the world."""

DATE_FORMAT = "j M Y"  # 24 Nov 2026
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j M Y, H:i"  # 24 Nov 2026, 17:24
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
SHORT_DATE_FORMAT = DATE_FORMAT
SHORT_DATETIME_FORMAT = DATETIME_FORMAT
FIRST_DAY_OF_WEEK = 1
# ISO first: <input type="date"> sends and expects it.
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]
DATETIME_INPUT_FORMATS = ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%d/%m/%Y %H:%M"]
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
