"""Simplified to Traditional Chinese as written in Hong Kong: OpenCC's s2hk conversion
(characters), then the Hong Kong word where the mainland one survives (登入, 電郵, 資料 …).

One place for both users of it: the Traditional Chinese letters (the wording of the
templates and the scheme's own labels, never what people typed: names, titles and
reasons stay as written) and scripts/fill-translations.py, which fills the zh_Hant
catalogue from zh_Hans."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django.utils import translation

# Mainland word → Hong Kong word, after character conversion (order matters: longest first).
HK_USAGE: list[tuple[str, str]] = [
    ("電子郵箱", "電郵地址"),
    ("郵箱", "電郵"),
    ("户", "戶"),
    ("賬號", "戶口號碼"),
    ("賬戶", "帳戶"),
    ("信息", "資料"),
    ("登錄", "登入"),
    ("默認", "預設"),
    ("鏈接", "連結"),
    ("保存", "儲存"),
    ("聯繫", "聯絡"),
    ("創建", "建立"),
    ("打印", "列印"),
    ("字段", "欄位"),
    ("設置", "設定"),
    ("激活", "啟用"),
    ("導出", "匯出"),
    ("導入", "匯入"),
    ("文本", "文字"),
    ("字符", "字元"),
    ("點擊", "點按"),
    ("打開", "開啟"),
    ("對賬", "對帳"),
    ("轉賬", "轉帳"),
    ("賬目", "帳目"),
]


@lru_cache(maxsize=1)
def _converter() -> Any:
    import opencc  # type: ignore[import-not-found,unused-ignore]

    return opencc.OpenCC("s2hk")


def to_hong_kong_traditional(text: str) -> str:
    converted: str = _converter().convert(text)
    for mainland, hong_kong in HK_USAGE:
        converted = converted.replace(mainland, hong_kong)
    return converted


def hong_kong_usage(text: str) -> str:
    """Only the word replacements, for text already in Traditional characters."""
    for mainland, hong_kong in HK_USAGE:
        text = text.replace(mainland, hong_kong)
    return text


@lru_cache(maxsize=512)
def _hong_kong_label(text: str) -> str:
    return to_hong_kong_traditional(text)


def shown_in_language(label: str) -> str:
    """A label of the scheme's own (a round's name), stored in Simplified Chinese, as the
    current language shows it: in Traditional characters on Traditional Chinese pages."""
    return _hong_kong_label(label) if translation.get_language() == "zh-hant" else label
