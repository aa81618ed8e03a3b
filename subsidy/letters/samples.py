"""Sample letters without a database: for `manage.py letter_preview`, the benchmark and tests.

`sample_letter(n)` gives a different, realistic letter for every n (names with rare
characters included), always the same one for the same n.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from decimal import Decimal

from subsidy.amounts import to_cents
from subsidy.chinese import to_hong_kong_traditional
from subsidy.letters.content import ChainStep, CostRow, LetterContent, mask_account
from subsidy.models.choices import LetterChinese, LetterKind

RARE_NAME_CHARACTERS = "堃珺喆燊"

_CITIES = ["深圳", "广州", "佛山", "东莞", "珠海", "惠州", "中山", "江门", "汕头", "湛江"]
_WORDS = ["华", "粤", "鑫", "创", "智", "海", "恒", "瑞", "锦", "湾", "堃", "珺", "喆", "燊", "昇", "淼", "骐", "璟"]
_TRADES = ["科技", "电子", "生物医药", "新材料", "智能装备", "通信技术", "光电", "精密机械"]
_TITLES = [
    "一种用于无线通信的天线装置及其制造方法",
    "锂离子电池正极材料及其制备方法",
    "基于深度学习的图像识别方法与系统",
    "一种可降解医用缝合线及其制备工艺",
    "用于集成电路封装的散热结构",
    "一种智能温控装置",
    "中药组合物及其在制备抗炎药物中的应用",
    "新型光伏组件及其安装支架",
]
_TITLES_EN = ["antenna", "battery", "imaging", "suture", "packaging", "thermostat", "medicine", "photovoltaics"]
_BANKS = ["中国工商银行深圳分行", "中国建设银行广州天河支行", "招商银行佛山分行", "中国银行东莞分行"]
_PEOPLE = ["王堃", "李珺", "陈喆", "黄燊", "张伟", "刘洋", "林晓明", "周婷"]


def sample_letter(
    number: int = 0,
    *,
    kind: str = LetterKind.APPROVAL,
    applicant_name: str | None = None,
    amount: Decimal | None = None,
    chinese: str = LetterChinese.SIMPLIFIED,
) -> LetterContent:
    content = _sample_letter(number, kind=kind, applicant_name=applicant_name, amount=amount)
    if chinese != LetterChinese.TRADITIONAL:
        return content
    # The scheme's labels in Traditional Chinese, as letter_content() writes them.
    return dataclasses.replace(
        content,
        chinese=chinese,
        applicant_id_label_zh=to_hong_kong_traditional(content.applicant_id_label_zh),
        costs=tuple(dataclasses.replace(row, label_zh=to_hong_kong_traditional(row.label_zh)) for row in content.costs),
        chain=tuple(
            dataclasses.replace(step, role_zh=to_hong_kong_traditional(step.role_zh)) for step in content.chain
        ),
    )


def _sample_letter(
    number: int,
    *,
    kind: str,
    applicant_name: str | None,
    amount: Decimal | None,
) -> LetterContent:
    rng = random.Random(number)  # noqa: S311 - sample data, not security
    city = rng.choice(_CITIES)
    individual = rng.random() < 0.2
    name = applicant_name or (
        rng.choice(_PEOPLE)
        if individual
        else f"{city}市{rng.choice(_WORDS)}{rng.choice(_WORDS)}{rng.choice(_TRADES)}有限公司"
    )
    official = Decimal(rng.randrange(2000, 9000))
    agency = Decimal(rng.randrange(8000, 30000))
    rate_hkd = Decimal("0.9213")
    costs = [
        CostRow(
            label_zh="官费",
            label_en="Official fee",
            description="P4/P5",
            paid_on=dt.date(2026, 3, 2),
            currency="HKD",
            amount=official,
            rate_to_cny=rate_hkd,
            amount_cny=to_cents(official * rate_hkd),
            eligible=True,
        ),
        CostRow(
            label_zh="代理费",
            label_en="Agency fee",
            description="香港代理",
            paid_on=dt.date(2026, 3, 10),
            currency="CNY",
            amount=agency,
            rate_to_cny=None,
            amount_cny=agency,
            eligible=True,
        ),
    ]
    if rng.random() < 0.5:
        translation = Decimal(rng.randrange(1000, 5000))
        costs.append(
            CostRow(
                label_zh="翻译费",
                label_en="Translation fee",
                description="",
                paid_on=dt.date(2026, 2, 20),
                currency="CNY",
                amount=translation,
                rate_to_cny=None,
                amount_cny=translation,
                eligible=False,
            )
        )
    eligible_total = sum((row.amount_cny or Decimal(0) for row in costs if row.eligible), start=Decimal("0.00"))
    rate = Decimal("0.50")
    cap = Decimal("10000.00")
    calculated = min(to_cents(eligible_total * rate), cap)
    if amount is not None:  # a preview of a given amount: the calculation arrives at it
        calculated = to_cents(amount)
        cap = max(cap, calculated)
    approved = calculated
    issued_on = dt.date(2026, 11, 2) + dt.timedelta(days=number % 20)
    serial = 100 + number
    account = f"6222{rng.randrange(10**11, 10**12)}{rng.randrange(1000, 9999)}"
    title_index = rng.randrange(len(_TITLES))
    return LetterContent(
        kind=kind,
        reference=f"GDHK-2026-{serial:06d}-{'A' if kind == LetterKind.APPROVAL else 'R'}1",
        version=1,
        issued_on=issued_on,
        application_reference=f"GDHK-2026-{serial:06d}",
        applicant_name=name,
        applicant_name_en="" if individual else f"{_TITLES_EN[title_index].title()} Technology Co., Ltd.",
        applicant_id_label_zh="居民身份证号码" if individual else "统一社会信用代码",
        applicant_id_label_en="Resident ID" if individual else "USCC",
        applicant_id="44030519900307123X" if individual else "91440300MA5G8X7L4C",
        patent_number=f"HK{30000000 + number * 7919 % 9999999} B",
        patent_title=_TITLES[title_index],
        round_name="2026年度第一批 2026 round 1",
        verify_url=f"https://subsidy.gdhk.example/v/{number:010d}",
        costs=tuple(costs),
        eligible_total=eligible_total,
        rate=rate,
        per_patent_cap=cap,
        calculated_amount=calculated,
        amount=approved,
        adjustment_reason="",
        chain=(
            ChainStep(role_zh="审核人", role_en="Reviewer", on=issued_on - dt.timedelta(days=3)),
            ChainStep(role_zh="审批人", role_en="Approver", on=issued_on),
        ),
        bank_name=rng.choice(_BANKS),
        account_masked=mask_account(account),
        notice_ends_on=issued_on + dt.timedelta(days=7),
        reasons=(
            "1. 专利授权日期不在本批次资助范围内。\n2. The HK grant date lies outside the round's window."
            if kind == LetterKind.REJECTION
            else ""
        ),
    )
