"""The demo's literal data: its accounts, applicants and claims, and the builders of
their check-digit-valid identifiers and their documents. Loaded by subsidy.demo."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from subsidy.identifiers import cnipa_check_char, ric_check_char, uscc_check_char
from subsidy.models import (
    ApplicantKind,
    ApplicationStatus,
    CostType,
    Currency,
    GuangdongCity,
    PatentRoute,
    PersonalIdKind,
    Role,
)

DEMO_PASSWORD = "demo-pass-2026"  # noqa: S105 - printed for local demo accounts only

DEMO_ACCOUNTS: list[tuple[str, Role]] = [
    ("applicant@demo.gdhk", Role.APPLICANT),
    ("agent@demo.gdhk", Role.AGENT),
    ("reviewer@demo.gdhk", Role.REVIEWER),
    ("approver@demo.gdhk", Role.APPROVER),
    ("finance@demo.gdhk", Role.FINANCE_OFFICER),
    ("finance.approver@demo.gdhk", Role.FINANCE_APPROVER),
    ("admin@demo.gdhk", Role.SCHEME_ADMIN),
    ("auditor@demo.gdhk", Role.AUDITOR),
]

# Where each demo account starts: the URL name of its first useful page.
DEMO_START_PAGES: dict[Role, str] = {
    Role.APPLICANT: "portal:application_list",
    Role.AGENT: "portal:application_list",
    Role.REVIEWER: "staff:queue",
    Role.APPROVER: "staff:queue",
    Role.FINANCE_OFFICER: "staff:batch_list",
    Role.FINANCE_APPROVER: "staff:batch_list",
    Role.SCHEME_ADMIN: "staff:application_list",
    Role.AUDITOR: "staff:reports",
}


def minimal_pdf(*objects: bytes) -> bytes:
    """A well-formed PDF of the given objects (numbered from 1, the first the catalog),
    with a correct cross-reference table: uploads are parsed, not only sniffed."""
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return out


# One blank A4 page.
TINY_PDF = minimal_pdf(
    b"<</Type/Catalog/Pages 2 0 R>>",
    b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
    b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Resources<<>>>>",
)


def demo_uscc(region: str, serial: str) -> str:
    first17 = f"91{region}{serial}"
    return first17 + uscc_check_char(first17)


def demo_resident_id(region: str, birth: str, sequence: str) -> str:
    first17 = f"{region}{birth}{sequence}"
    return first17 + ric_check_char(first17)


def demo_cnipa(year: int, serial: str) -> str:
    digits = f"{year}1{serial}"
    return f"{digits}.{cnipa_check_char(digits)}"


# Where a demo claim ends beyond its status: paid through the reconciled batch, returned by
# the bank from it (and paid again in the released one), or approved with its notice over.
PAID = ApplicationStatus.PAID
PAYMENT_RETURNED = "payment_returned"
READY_TO_PAY = "ready_to_pay"
# Each of these is approved on the way.
PAYABLE_OUTCOMES = {ApplicationStatus.IN_PAYMENT, PAID, PAYMENT_RETURNED, READY_TO_PAY}


@dataclass
class DemoClaim:
    applicant_index: int
    hk_number: str
    title_zh: str
    title_en: str
    route: str
    days_since_grant: int
    costs: list[tuple[str, str, str]]  # (type, amount, currency)
    final_status: str


def _organisation(
    name: str,
    name_en: str,
    region: str,
    serial: str,
    city: str,
    address: str,
    contact: str,
    phone: str,
    bank: str,
    account: str,
    cnaps: str,
    email: str,
) -> dict[str, Any]:
    return {
        "kind": ApplicantKind.ORGANISATION,
        "name": name,
        "name_en": name_en,
        "uscc": demo_uscc(region, serial),
        "city": city,
        "address": address,
        "contact_person": contact,
        "phone": phone,
        "email": email,
        "bank_account_name": name,
        "bank_name": bank,
        "bank_account_number": account,
        "cnaps_code": cnaps,
    }


APPLICANTS: list[dict[str, Any]] = [
    {
        "kind": ApplicantKind.ORGANISATION,
        "name": "深圳市鹏城光电科技有限公司",
        "name_en": "Shenzhen Pengcheng Optoelectronics Co., Ltd.",
        "uscc": demo_uscc("440300", "MA5F3K2Q8"),
        "city": GuangdongCity.SHENZHEN,
        "address": "深圳市南山区科技园南区高新南七道 18 号",
        "contact_person": "陈晓堃",
        "phone": "0755-26881234",
        "email": "ip@pengcheng-opto.example",
        "bank_account_name": "深圳市鹏城光电科技有限公司",
        "bank_name": "中国工商银行深圳南山支行",
        "bank_account_number": "4000023409200123456",
        "cnaps_code": "102584002345",
    },
    {
        "kind": ApplicantKind.ORGANISATION,
        "name": "广州珠江生物材料研究院",
        "name_en": "Guangzhou Pearl River Institute of Biomaterials",
        "uscc": demo_uscc("440101", "MB2C7N4L1"),
        "city": GuangdongCity.GUANGZHOU,
        "address": "广州市天河区五山路 381 号",
        "contact_person": "李珺",
        "phone": "020-87110000",
        "email": "tech-transfer@prbio.example",
        "bank_account_name": "广州珠江生物材料研究院",
        "bank_name": "中国银行广州天河支行",
        "bank_account_number": "6217857000012345678",
        "cnaps_code": "104581003012",
    },
    {
        "kind": ApplicantKind.INDIVIDUAL,
        "name": "黄喆",
        "name_en": "Huang Zhe",
        "id_kind": PersonalIdKind.RESIDENT_ID,
        "id_number": demo_resident_id("440604", "19860315", "123"),
        "city": GuangdongCity.FOSHAN,
        "address": "佛山市禅城区季华五路 22 号",
        "contact_person": "黄喆",
        "phone": "13800138000",
        "email": "huang.zhe@example.cn",
        "bank_account_name": "黄喆",
        "bank_name": "招商银行佛山分行",
        "bank_account_number": "6225880212345678",
        "cnaps_code": "308588000019",
    },
    _organisation(
        "东莞市松湖智能装备有限公司",
        "Dongguan Songhu Intelligent Equipment Co., Ltd.",
        "441900",
        "MA5G1B2C3",
        GuangdongCity.DONGGUAN,
        "东莞市松山湖园区工业南路 6 号",
        "罗燊",
        "0769-22890011",
        "中国建设银行东莞松山湖支行",
        "44050177001234567890",
        "105602000123",
        "patents@songhu-ie.example",
    ),
    _organisation(
        "珠海横琴海洋科技有限公司",
        "Zhuhai Hengqin Marine Technology Co., Ltd.",
        "440400",
        "MA4W8K7P2",
        GuangdongCity.ZHUHAI,
        "珠海市横琴新区环岛东路 3000 号",
        "周颖",
        "0756-8861234",
        "中国农业银行珠海横琴支行",
        "44350101040012345",
        "103585030012",
        "ip@hengqin-marine.example",
    ),
    _organisation(
        "惠州仲恺新能源电池有限公司",
        "Huizhou Zhongkai New Energy Battery Co., Ltd.",
        "441300",
        "MA53XY6T9",
        GuangdongCity.HUIZHOU,
        "惠州市仲恺高新区和畅五路西 8 号",
        "何嘉怡",
        "0752-5312345",
        "交通银行惠州分行",
        "491060100018800012345",
        "301595000016",
        "legal@zk-battery.example",
    ),
    _organisation(
        "江门五邑精密电机股份有限公司",
        "Jiangmen Wuyi Precision Motor Co., Ltd.",
        "440700",
        "MA4H2J3K4",
        GuangdongCity.JIANGMEN,
        "江门市蓬江区江睦路 88 号",
        "梁志强",
        "0750-3201234",
        "中国银行江门分行",
        "660012345678901",
        "104589000018",
        "ip@wuyi-motor.example",
    ),
    {
        "kind": ApplicantKind.INDIVIDUAL,
        "name": "欧阳珺瑶",
        "name_en": "Ouyang Junyao",
        "id_kind": PersonalIdKind.RESIDENT_ID,
        "id_number": demo_resident_id("442000", "19910722", "246"),
        "city": GuangdongCity.ZHONGSHAN,
        "address": "中山市石岐区孙文中路 101 号",
        "contact_person": "欧阳珺瑶",
        "phone": "13926012345",
        "email": "ouyang.junyao@example.cn",
        "bank_account_name": "欧阳珺瑶",
        "bank_name": "中国邮政储蓄银行中山分行",
        "bank_account_number": "6217995800012345678",
        "cnaps_code": "403603000013",
    },
]

CLAIMS: list[DemoClaim] = [
    DemoClaim(
        0,
        "HK1250001 B",
        "一种高效率微型发光二极管阵列",
        "High-efficiency micro LED array",
        PatentRoute.REREGISTRATION,
        40,
        [(CostType.OFFICIAL_FEE, "2100.00", Currency.HKD), (CostType.AGENCY_FEE, "12000.00", Currency.CNY)],
        ApplicationStatus.SUBMITTED,
    ),
    DemoClaim(
        0,
        "HK1250002",
        "光学镜头的自动对焦装置",
        "Autofocus device for optical lenses",
        PatentRoute.REREGISTRATION,
        75,
        [(CostType.OFFICIAL_FEE, "1600.00", Currency.CNY), (CostType.TRANSLATION_FEE, "3000.00", Currency.CNY)],
        ApplicationStatus.UNDER_REVIEW,
    ),
    DemoClaim(
        1,
        "HK30012345 B",
        "可降解骨科固定材料及其制备方法",
        "Degradable orthopaedic fixation material and its preparation",
        PatentRoute.ORIGINAL_GRANT,
        120,
        [(CostType.OFFICIAL_FEE, "4800.00", Currency.HKD), (CostType.AGENCY_FEE, "9000.00", Currency.CNY)],
        ApplicationStatus.SUBMITTED,
    ),
    DemoClaim(
        1,
        "HK1250003",
        "一种医用水凝胶敷料",
        "Medical hydrogel dressing",
        PatentRoute.REREGISTRATION,
        30,
        [(CostType.AGENCY_FEE, "6000.00", Currency.CNY)],
        ApplicationStatus.WITHDRAWN,
    ),
    DemoClaim(
        1,
        "HK1250005",
        "一种用于伤口修复的胶原蛋白支架",
        "Collagen scaffold for wound repair",
        PatentRoute.REREGISTRATION,
        50,
        [(CostType.OFFICIAL_FEE, "3200.00", Currency.HKD), (CostType.AGENCY_FEE, "7000.00", Currency.CNY)],
        ApplicationStatus.APPROVED,
    ),
    DemoClaim(
        0,
        "HK1250006",
        "基于深度学习的光谱分析方法",
        "Deep-learning spectral analysis method",
        PatentRoute.ORIGINAL_GRANT,
        90,
        [(CostType.AGENCY_FEE, "15000.00", Currency.CNY)],
        ApplicationStatus.AWAITING_DECISION,
    ),
    DemoClaim(
        2,
        "HK1250007",
        "可调节儿童安全座椅",
        "Adjustable child safety seat",
        PatentRoute.REREGISTRATION,
        60,
        [(CostType.OFFICIAL_FEE, "1200.00", Currency.CNY), (CostType.TRANSLATION_FEE, "2000.00", Currency.CNY)],
        ApplicationStatus.REJECTED,
    ),
    DemoClaim(
        1,
        "HK1250008",
        "一种抗菌医用导管",
        "Antibacterial medical catheter",
        PatentRoute.REREGISTRATION,
        25,
        [(CostType.AGENCY_FEE, "5000.00", Currency.CNY)],
        ApplicationStatus.INFO_REQUESTED,
    ),
    DemoClaim(
        2,
        "HK1250004",
        "折叠式电动自行车车架",
        "Folding electric bicycle frame",
        PatentRoute.REREGISTRATION,
        20,
        [(CostType.OFFICIAL_FEE, "900.00", Currency.CNY)],
        ApplicationStatus.DRAFT,
    ),
    # Approved weeks ago, notice over, and released for payment in DEMO-BATCH-1.
    DemoClaim(
        0,
        "HK1250009",
        "一种柔性显示面板的封装结构",
        "Encapsulation structure for flexible display panels",
        PatentRoute.REREGISTRATION,
        100,
        [(CostType.OFFICIAL_FEE, "2600.00", Currency.CNY), (CostType.AGENCY_FEE, "8000.00", Currency.CNY)],
        ApplicationStatus.IN_PAYMENT,
    ),
    DemoClaim(
        2,
        "HK1250010",
        "便携式电动自行车充电装置",
        "Portable e-bike charging device",
        PatentRoute.REREGISTRATION,
        80,
        [(CostType.OFFICIAL_FEE, "1500.00", Currency.CNY), (CostType.TRANSLATION_FEE, "2500.00", Currency.CNY)],
        ApplicationStatus.IN_PAYMENT,
    ),
    DemoClaim(
        3,
        "HK1250011",
        "一种工业机器人关节减速器",
        "Joint reducer for industrial robots",
        PatentRoute.REREGISTRATION,
        150,
        [(CostType.OFFICIAL_FEE, "2400.00", Currency.HKD), (CostType.AGENCY_FEE, "9000.00", Currency.CNY)],
        PAID,
    ),
    DemoClaim(
        3,
        "HK1250012",
        "视觉引导的自动装配系统",
        "Vision-guided automatic assembly system",
        PatentRoute.REREGISTRATION,
        140,
        [(CostType.AGENCY_FEE, "11000.00", Currency.CNY), (CostType.TRANSLATION_FEE, "2500.00", Currency.CNY)],
        PAID,
    ),
    DemoClaim(
        3,
        "HK1250013",
        "数控机床刀具磨损检测方法",
        "Tool-wear detection for CNC machine tools",
        PatentRoute.REREGISTRATION,
        70,
        [(CostType.AGENCY_FEE, "8000.00", Currency.CNY)],
        ApplicationStatus.AWAITING_DECISION,
    ),
    DemoClaim(
        3,
        "HK30012346 B",
        "一种注塑模具快速换模装置",
        "Quick mould-change device for injection moulding",
        PatentRoute.ORIGINAL_GRANT,
        35,
        [(CostType.OFFICIAL_FEE, "5200.00", Currency.HKD), (CostType.AGENCY_FEE, "10000.00", Currency.CNY)],
        ApplicationStatus.SUBMITTED,
    ),
    DemoClaim(
        4,
        "HK1250014",
        "海上风电桩基防腐涂层",
        "Anti-corrosion coating for offshore wind piles",
        PatentRoute.REREGISTRATION,
        160,
        [(CostType.OFFICIAL_FEE, "1800.00", Currency.CNY), (CostType.AGENCY_FEE, "7500.00", Currency.CNY)],
        PAID,
    ),
    DemoClaim(
        4,
        "HK1250015",
        "水下机器人推进器",
        "Thruster for underwater robots",
        PatentRoute.REREGISTRATION,
        155,
        [(CostType.AGENCY_FEE, "6400.00", Currency.CNY)],
        PAYMENT_RETURNED,
    ),
    DemoClaim(
        4,
        "HK1250016",
        "海水淡化膜组件",
        "Seawater desalination membrane module",
        PatentRoute.REREGISTRATION,
        45,
        [(CostType.OFFICIAL_FEE, "2000.00", Currency.HKD), (CostType.TRANSLATION_FEE, "3200.00", Currency.CNY)],
        ApplicationStatus.UNDER_REVIEW,
    ),
    DemoClaim(
        4,
        "HK1250017",
        "船舶压载水处理装置",
        "Ship ballast water treatment device",
        PatentRoute.REREGISTRATION,
        110,
        [(CostType.AGENCY_FEE, "5500.00", Currency.CNY)],
        ApplicationStatus.LAPSED,
    ),
    DemoClaim(
        5,
        "HK1250018",
        "锂离子电池正极材料及其制备方法",
        "Lithium-ion cathode material and its preparation",
        PatentRoute.REREGISTRATION,
        65,
        [(CostType.OFFICIAL_FEE, "3600.00", Currency.HKD), (CostType.AGENCY_FEE, "12000.00", Currency.CNY)],
        ApplicationStatus.APPROVED,
    ),
    DemoClaim(
        5,
        "HK1250019",
        "电池包热管理系统",
        "Thermal management system for battery packs",
        PatentRoute.REREGISTRATION,
        95,
        [(CostType.AGENCY_FEE, "9800.00", Currency.CNY)],
        READY_TO_PAY,
    ),
    DemoClaim(
        5,
        "HK1250020",
        "固态电解质薄膜",
        "Solid electrolyte film",
        PatentRoute.ORIGINAL_GRANT,
        55,
        [(CostType.OFFICIAL_FEE, "4100.00", Currency.HKD), (CostType.AGENCY_FEE, "6000.00", Currency.CNY)],
        ApplicationStatus.INFO_REQUESTED,
    ),
    DemoClaim(
        5,
        "HK1250021",
        "电池极片涂布装置",
        "Electrode coating device for batteries",
        PatentRoute.REREGISTRATION,
        85,
        [(CostType.AGENCY_FEE, "4500.00", Currency.CNY)],
        ApplicationStatus.REJECTED,
    ),
    DemoClaim(
        6,
        "HK1250022",
        "无刷直流电机转子结构",
        "Rotor structure for brushless DC motors",
        PatentRoute.REREGISTRATION,
        170,
        [(CostType.OFFICIAL_FEE, "1500.00", Currency.CNY), (CostType.AGENCY_FEE, "6500.00", Currency.CNY)],
        PAID,
    ),
    DemoClaim(
        6,
        "HK1250023",
        "电机绕组自动嵌线机",
        "Automatic coil-inserting machine for motor windings",
        PatentRoute.REREGISTRATION,
        105,
        [(CostType.AGENCY_FEE, "8800.00", Currency.CNY)],
        ApplicationStatus.IN_PAYMENT,
    ),
    DemoClaim(
        6,
        "HK1250024",
        "低噪声微型电机",
        "Low-noise micro motor",
        PatentRoute.REREGISTRATION,
        60,
        [(CostType.OFFICIAL_FEE, "2200.00", Currency.HKD), (CostType.TRANSLATION_FEE, "1800.00", Currency.CNY)],
        ApplicationStatus.APPROVED,
    ),
    DemoClaim(
        6,
        "HK1250025",
        "电机控制器散热结构",
        "Cooling structure for motor controllers",
        PatentRoute.REREGISTRATION,
        28,
        [(CostType.AGENCY_FEE, "7200.00", Currency.CNY)],
        ApplicationStatus.SUBMITTED,
    ),
    DemoClaim(
        7,
        "HK1250026",
        "智能照明调光电路",
        "Dimming circuit for smart lighting",
        PatentRoute.REREGISTRATION,
        90,
        [(CostType.OFFICIAL_FEE, "1300.00", Currency.CNY), (CostType.AGENCY_FEE, "4000.00", Currency.CNY)],
        READY_TO_PAY,
    ),
    DemoClaim(
        7,
        "HK1250027",
        "一种可折叠台灯",
        "Foldable desk lamp",
        PatentRoute.REREGISTRATION,
        22,
        [(CostType.OFFICIAL_FEE, "1100.00", Currency.CNY)],
        ApplicationStatus.DRAFT,
    ),
    DemoClaim(
        7,
        "HK1250028",
        "家用空气净化装置",
        "Household air purifier",
        PatentRoute.REREGISTRATION,
        75,
        [(CostType.AGENCY_FEE, "5200.00", Currency.CNY)],
        ApplicationStatus.AWAITING_DECISION,
    ),
    DemoClaim(
        0,
        "HK1250029",
        "微型光谱传感器",
        "Miniature spectral sensor",
        PatentRoute.REREGISTRATION,
        48,
        [(CostType.OFFICIAL_FEE, "2800.00", Currency.HKD), (CostType.AGENCY_FEE, "9500.00", Currency.CNY)],
        ApplicationStatus.UNDER_REVIEW,
    ),
    DemoClaim(
        1,
        "HK1250030",
        "可吸收止血材料",
        "Absorbable haemostatic material",
        PatentRoute.REREGISTRATION,
        66,
        [(CostType.AGENCY_FEE, "7000.00", Currency.CNY)],
        ApplicationStatus.APPROVED,
    ),
]

DEMO_BATCH = "DEMO-BATCH-1"  # released, waiting for the bank
DEMO_PAID_BATCH = "DEMO-BATCH-0"  # paid and reconciled last month
