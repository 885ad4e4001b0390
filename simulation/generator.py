"""Realistic, deterministic scenarios of Tokyo's association programme and its sister.

``generate_scenario(associations, experts, seed, profile)`` returns a JSON-ready
dict in the exchange format (``spec/exchange-format.md``) that looks like the
real 2025-26 programme: Tokyo industry associations with Japanese names and
addresses, applications spread over the application period (a rush at the
start, a tail towards the deadline), decisions 6-20 business days after the
application, office hours of association secretariats, and busy consultants who
offer two to four weekdays, often only half a day, with Obon, the year end and
personal weeks blocked.

The profile ``company`` makes the sister programme for single companies instead:
SMEs (株式会社, 有限会社, 合同会社) apply for up to four sessions, and the
programme states its own ``programme.vocabulary`` that adds attorneys (弁護士)
for a legal need, as the spec's example shows.

The profile ``national`` makes a national programme: associations in all 47
prefectures by population (with the head-office pull of Tokyo, Osaka and Aichi),
each expert based in a prefecture (``base_area`` such as ``大阪府大阪市``); experts
who offer onsite sessions are spread over the prefectures as the applications are,
and serve onsite only in their own (``scheduler.regions`` plans them so), while
online-only experts serve online applications anywhere.

The same arguments always give the same document: every draw comes from one
``random.Random(seed)`` and nothing depends on the clock. A profile changes the
parameters (``PROFILES``), never the shape of the data.
"""

from __future__ import annotations

import bisect
import copy
import datetime as dt
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from domain.calendar import BusinessCalendar, clip, fits_in_some_window, windows_on
from domain.programmes import COMPANY_PROGRAMME, TOKYO_PROGRAMME
from domain.scenario import Availability, Programme
from domain.types import format_clock
from domain.vocabulary import WEEKDAYS, phase_of
from scheduler.ledger import ExpertLedger, spec_gap
from simulation.profiles import PROFILES, Profile

_D = dt.date.fromisoformat
APPLICATION_START = _D(TOKYO_PROGRAMME["application_period"]["start"])
APPLICATION_END = _D(TOKYO_PROGRAMME["application_period"]["end"])
PERIOD_START = _D(TOKYO_PROGRAMME["implementation_period"]["start"])
PERIOD_END = _D(TOKYO_PROGRAMME["implementation_period"]["end"])
OBON = ("2025-08-11", "2025-08-15")  # 08-11 is 山の日
YEAR_END = ("2025-12-26", "2026-01-05")


# --------------------------------------------------------------------------- word lists

INDUSTRY_WEIGHTS: dict[str, float] = {
    "retail": 12, "food_service": 11, "hospitality": 7, "transport": 6, "taxi": 6,
    "logistics": 6, "construction": 5, "real_estate": 6, "healthcare": 7, "nursing_care": 8,
    "beauty": 6, "education": 5, "finance": 5, "it_services": 3, "manufacturing": 4,
    "wholesale": 4,
}

_COOP = ("{p}{w}協同組合", "{p}{w}事業協同組合")
_SHOKO = ("{p}{w}商工組合",)
_INCORPORATED = (
    "一般社団法人{p}{w}協会", "公益社団法人{p}{w}協会", "一般社団法人{p}{w}協議会",
    "一般社団法人{p}{w}連合会",
)
_OTHER = ("特定非営利活動法人{p}{w}ネットワーク", "特定非営利活動法人{p}{w}支援機構")
_SEIEI = ("{p}{w}生活衛生同業組合",)
_KOGYO = ("{p}{w}工業組合",)

# industry -> (words, templates special to the industry)
INDUSTRY_WORDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "retail": (("小売酒販", "書店商業", "菓子", "青果物商業", "鮮魚商", "食肉事業", "米穀小売商業",
                "眼鏡専門店", "時計宝飾", "家電商業", "化粧品小売", "履物"),
               ("{p}商店街振興組合連合会", "{p}{w}組合", *_SHOKO)),
    "food_service": (("飲食業", "鮨商", "中華料理", "麺類", "料理", "喫茶飲食", "焼肉", "洋食",
                      "食堂", "弁当給食"), _SEIEI),
    "hospitality": (("旅館ホテル", "ホテル", "簡易宿所", "ブライダル", "浴場", "観光", "旅行業"),
                    _SEIEI),
    "transport": (("バス", "観光バス", "旅客船", "自動車整備振興", "駐車場", "レンタカー"), ()),
    "taxi": (("個人タクシー", "ハイヤー・タクシー", "法人タクシー", "介護タクシー", "ハイヤー"),
             ()),
    "logistics": (("トラック", "倉庫", "冷蔵倉庫", "軽自動車運送", "引越", "港湾運送", "宅配"), ()),
    "construction": (("建設業", "電気工事", "管工事", "塗装", "左官", "内装仕上", "造園",
                      "解体工事", "リフォーム", "建築士事務所"), (*_KOGYO, *_SHOKO)),
    "real_estate": (("宅地建物取引業", "不動産", "賃貸住宅管理", "マンション管理",
                     "ビルメンテナンス"), ()),
    "healthcare": (("病院", "歯科医師", "薬剤師", "訪問看護ステーション", "柔道整復師",
                    "鍼灸マッサージ師", "臨床検査"), ()),
    "nursing_care": (("介護サービス事業者", "介護支援専門員", "福祉用具", "在宅介護",
                      "認知症グループホーム", "社会福祉法人経営者", "障害福祉サービス"), ()),
    "beauty": (("理容", "美容", "エステティック", "ネイル", "クリーニング", "まつげエクステ"),
               _SEIEI),
    "education": (("私立幼稚園", "学習塾", "専修学校各種学校", "指定自動車教習所", "民間保育",
                   "英会話スクール", "スポーツクラブ"), ()),
    "finance": (("信用金庫", "信用組合", "質屋", "損害保険代理業", "貸金業", "生命保険代理店",
                 "リース"), ()),
    "it_services": (("情報サービス産業", "ソフトウェア", "コールセンター", "ウェブ制作",
                     "システムエンジニアリング", "データセンター"), ()),
    "manufacturing": (("印刷工業", "金属プレス", "鍍金", "製本", "菓子工業", "製麺", "豆腐", "パン",
                       "皮革", "眼鏡"), _KOGYO),
    "wholesale": (("青果卸売", "水産物卸", "繊維卸", "医薬品卸", "酒類卸", "紙卸", "食品卸",
                   "玩具"), _SHOKO),
}

# city -> a few real town names; the 23 wards first, then the Tama cities.
WARDS: dict[str, tuple[str, ...]] = {
    "千代田区": ("神田須田町", "九段南", "有楽町", "内神田", "神田小川町"),
    "中央区": ("日本橋人形町", "銀座", "八丁堀", "新川", "日本橋茅場町"),
    "港区": ("新橋", "芝大門", "浜松町", "赤坂", "虎ノ門"),
    "新宿区": ("西新宿", "高田馬場", "四谷", "新宿", "市谷本村町"),
    "文京区": ("本郷", "湯島", "小石川"),
    "台東区": ("上野", "浅草橋", "蔵前", "東上野"),
    "墨田区": ("両国", "錦糸", "押上"),
    "江東区": ("亀戸", "門前仲町", "東陽"),
    "品川区": ("大崎", "西五反田", "東品川"),
    "目黒区": ("目黒", "自由が丘", "中目黒"),
    "大田区": ("蒲田", "大森北", "平和島"),
    "世田谷区": ("三軒茶屋", "太子堂", "用賀"),
    "渋谷区": ("渋谷", "代々木", "恵比寿"),
    "中野区": ("中野", "東中野"),
    "杉並区": ("阿佐谷南", "高円寺南", "荻窪"),
    "豊島区": ("東池袋", "西池袋", "南大塚"),
    "北区": ("王子", "赤羽", "滝野川"),
    "荒川区": ("西日暮里", "東日暮里", "南千住"),
    "板橋区": ("板橋", "大山東町", "高島平"),
    "練馬区": ("豊玉北", "石神井町", "練馬"),
    "足立区": ("千住", "梅島", "竹の塚"),
    "葛飾区": ("立石", "亀有", "新小岩"),
    "江戸川区": ("南小岩", "船堀", "中央"),
}
TAMA: dict[str, tuple[str, ...]] = {
    "八王子市": ("明神町", "旭町", "元本郷町"),
    "立川市": ("曙町", "柴崎町", "錦町"),
    "武蔵野市": ("吉祥寺本町", "中町"),
    "三鷹市": ("下連雀", "上連雀"),
    "青梅市": ("東青梅", "河辺町"),
    "府中市": ("宮町", "府中町"),
    "昭島市": ("昭和町", "田中町"),
    "調布市": ("小島町", "布田"),
    "町田市": ("原町田", "森野"),
    "小金井市": ("本町", "緑町"),
    "小平市": ("美園町", "学園東町"),
    "日野市": ("日野本町", "多摩平"),
    "東村山市": ("本町", "野口町"),
    "国分寺市": ("南町", "本町"),
    "国立市": ("中", "東"),
    "西東京市": ("田無町", "南町"),
    "多摩市": ("関戸", "落合"),
    "狛江市": ("和泉本町", "東和泉"),
    "稲城市": ("東長沼", "向陽台"),
    "東久留米市": ("本町", "東本町"),
}
# Association offices concentrate in the central wards.
_CITY_WEIGHT = {
    "千代田区": 9, "中央区": 8, "港区": 7, "新宿区": 6, "台東区": 5, "文京区": 3, "渋谷区": 3,
    "豊島区": 3, "墨田区": 2, "江東区": 2, "品川区": 2, "大田区": 2,
}
CITIES: tuple[str, ...] = (*WARDS, *TAMA)
CITY_WEIGHTS: tuple[float, ...] = tuple(
    _CITY_WEIGHT.get(city, 1.0 if city in WARDS else 0.6) for city in CITIES
)
TOWNS: dict[str, tuple[str, ...]] = {**WARDS, **TAMA}
# Experts live all over the metropolitan area.
EXPERT_AREAS: tuple[str, ...] = (*CITIES, "横浜市", "川崎市", "さいたま市", "千葉市", "相模原市")
EXPERT_AREA_WEIGHTS: tuple[float, ...] = (*(1.0 for _ in CITIES), 2.0, 1.5, 1.5, 1.0, 0.5)

# The national profile: population in units of 10,000 (2020 census, rounded), with the
# head-office pull of the three metropolitan centres on top (associations and their
# secretariats sit where the members' head offices are).
PREFECTURE_POPULATION: dict[str, float] = {
    "北海道": 522, "青森県": 124, "岩手県": 121, "宮城県": 230, "秋田県": 96, "山形県": 107,
    "福島県": 183, "茨城県": 287, "栃木県": 193, "群馬県": 194, "埼玉県": 734, "千葉県": 628,
    "東京都": 1405, "神奈川県": 924, "新潟県": 220, "富山県": 103, "石川県": 113, "福井県": 77,
    "山梨県": 81, "長野県": 205, "岐阜県": 198, "静岡県": 363, "愛知県": 754, "三重県": 177,
    "滋賀県": 141, "京都府": 258, "大阪府": 884, "兵庫県": 546, "奈良県": 133, "和歌山県": 92,
    "鳥取県": 55, "島根県": 67, "岡山県": 189, "広島県": 280, "山口県": 134, "徳島県": 72,
    "香川県": 95, "愛媛県": 133, "高知県": 69, "福岡県": 513, "佐賀県": 81, "長崎県": 131,
    "熊本県": 174, "大分県": 113, "宮崎県": 107, "鹿児島県": 159, "沖縄県": 147,
}
_HEAD_OFFICE_PULL = {"東京都": 1.6, "大阪府": 1.25, "愛知県": 1.15}
PREFECTURE_WEIGHTS: dict[str, float] = {
    name: population * _HEAD_OFFICE_PULL.get(name, 1.0)
    for name, population in PREFECTURE_POPULATION.items()
}
# Outside Tokyo an association's office is in the prefectural capital or the second city.
PREFECTURE_CITIES: dict[str, tuple[str, ...]] = {
    "北海道": ("札幌市", "旭川市"), "青森県": ("青森市", "八戸市"), "岩手県": ("盛岡市",),
    "宮城県": ("仙台市",), "秋田県": ("秋田市",), "山形県": ("山形市",),
    "福島県": ("福島市", "郡山市"), "茨城県": ("水戸市", "つくば市"), "栃木県": ("宇都宮市",),
    "群馬県": ("前橋市", "高崎市"), "埼玉県": ("さいたま市", "川越市"),
    "千葉県": ("千葉市", "船橋市"), "神奈川県": ("横浜市", "川崎市", "相模原市"),
    "新潟県": ("新潟市", "長岡市"), "富山県": ("富山市",), "石川県": ("金沢市",),
    "福井県": ("福井市",), "山梨県": ("甲府市",), "長野県": ("長野市", "松本市"),
    "岐阜県": ("岐阜市",), "静岡県": ("静岡市", "浜松市"), "愛知県": ("名古屋市", "豊田市"),
    "三重県": ("津市", "四日市市"), "滋賀県": ("大津市",), "京都府": ("京都市",),
    "大阪府": ("大阪市", "堺市", "東大阪市"), "兵庫県": ("神戸市", "姫路市"),
    "奈良県": ("奈良市",), "和歌山県": ("和歌山市",), "鳥取県": ("鳥取市",),
    "島根県": ("松江市",), "岡山県": ("岡山市", "倉敷市"), "広島県": ("広島市", "福山市"),
    "山口県": ("山口市", "下関市"), "徳島県": ("徳島市",), "香川県": ("高松市",),
    "愛媛県": ("松山市",), "高知県": ("高知市",), "福岡県": ("福岡市", "北九州市"),
    "佐賀県": ("佐賀市",), "長崎県": ("長崎市",), "熊本県": ("熊本市",), "大分県": ("大分市",),
    "宮崎県": ("宮崎市",), "鹿児島県": ("鹿児島市",), "沖縄県": ("那覇市",),
}
NATIONAL_TOWNS: tuple[str, ...] = ("本町", "中央", "駅前", "栄町", "元町", "大手町", "錦町",
                                   "幸町", "旭町", "南町")

FAMILY_NAMES: tuple[str, ...] = (
    "佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "中村", "小林", "加藤", "吉田", "山田",
    "佐々木", "山口", "松本", "井上", "木村", "林", "斎藤", "清水", "山崎", "森", "池田", "橋本",
    "阿部", "石川", "山下", "中島", "石井", "小川", "前田", "岡田", "長谷川", "藤田", "後藤",
    "近藤", "村上", "遠藤", "青木", "坂本", "福田", "太田", "西村", "藤井", "金子", "岡本", "藤原",
    "中野", "三浦", "原田", "中川", "松田", "竹内", "小野", "田村", "中山", "和田", "石田", "森田",
    "上田", "原", "柴田", "酒井", "工藤", "横山", "宮崎", "宮本", "内田", "高木", "安藤", "島田",
    "谷口", "大野", "高田", "丸山", "今井", "河野", "藤本", "村田", "武田", "上野", "杉山", "増田",
    "小山", "大塚", "平野", "菅原", "久保", "松井", "千葉", "岩崎", "桜井", "木下", "野口", "松尾",
    "菊地", "野村", "新井",
)
GIVEN_NAMES: tuple[str, ...] = (
    "花子", "太郎", "健一", "誠", "浩", "直樹", "大輔", "拓也", "翔太", "陽子", "恵子", "裕子",
    "美穂", "由美子", "真由美", "智子", "直美", "明美", "久美子", "和也", "隆", "剛", "修", "聡",
    "淳", "亮", "健太", "大樹", "悠斗", "美咲", "彩", "沙織", "麻衣", "愛", "舞", "香織", "理恵",
    "友美", "典子", "幸子", "洋子", "一郎", "正樹", "英樹", "秀樹", "達也", "哲也", "康弘", "博之",
    "雅人", "信也", "結衣", "千尋", "早紀", "奈々", "瞳", "恵美", "紀子", "綾", "薫", "純一",
    "美和", "敦子", "俊介", "浩二", "由紀", "真理", "さくら",
)
BUILDINGS = ("会館", "ビル", "センタービル", "第二ビル", "プラザ")

PRIMARY_NEED_WEIGHTS = {"labour_law": 45, "management": 20, "mental_health": 20, "training": 15}
SECONDARY_NEED_WEIGHTS = {"labour_law": 25, "management": 20, "mental_health": 30, "training": 35}
QUALIFICATION_WEIGHTS = {
    "sharoushi": 36, "sme_consultant": 20, "industrial_counselor": 13, "psychologist": 8,
    "hr_development": 10, "career_consultant": 13,
}
# A second qualification: career consultant is the common add-on.
SECOND_QUALIFICATION_WEIGHTS = {
    "career_consultant": 35, "industrial_counselor": 20, "sharoushi": 15, "sme_consultant": 15,
    "hr_development": 10, "psychologist": 5,
}


@dataclass(frozen=True)
class Applicants:
    """What one programme's applications and experts look like: its rules and its mix."""

    programme: Mapping[str, Any]
    primary_needs: Mapping[str, float]
    secondary_needs: Mapping[str, float]
    qualifications: Mapping[str, float]
    second_qualifications: Mapping[str, float]
    # Sessions asked for by applicants without a manual, and how often.
    sessions: tuple[tuple[int, ...], tuple[float, ...]]


APPLICANTS: Mapping[str, Applicants] = MappingProxyType({
    "associations": Applicants(
        TOKYO_PROGRAMME, PRIMARY_NEED_WEIGHTS, SECONDARY_NEED_WEIGHTS, QUALIFICATION_WEIGHTS,
        SECOND_QUALIFICATION_WEIGHTS, ((5, 4, 3), (78, 12, 10)),
    ),
    # A single company asks about legal exposure more often than an association does;
    # attorneys are few, and rarely hold a second qualification of the table.
    "companies": Applicants(
        COMPANY_PROGRAMME,
        {"labour_law": 38, "legal": 18, "management": 16, "mental_health": 16, "training": 12},
        {"labour_law": 20, "legal": 20, "management": 15, "mental_health": 22, "training": 23},
        {"sharoushi": 30, "bengoshi": 12, "sme_consultant": 17, "industrial_counselor": 12,
         "psychologist": 7, "hr_development": 9, "career_consultant": 13},
        SECOND_QUALIFICATION_WEIGHTS,
        ((4, 3, 2), (72, 16, 12)),
    ),
})

# Single companies: a stem (a family or place name) and a word of the industry.
COMPANY_STEMS: tuple[str, ...] = (
    "東京", "城南", "城北", "城東", "武蔵", "多摩", "江戸", "隅田", "青葉", "さくら", "ひかり",
    "みどり", "あおば", "丸の内", "日本橋", "大和", "富士", "朝日", "日の出", "三和", "共栄",
    "協和", "東和", "大栄", "平和", "昭和", "中央", "光和", "新光", "明和",
)
COMPANY_WORDS: dict[str, tuple[str, ...]] = {
    "retail": ("商店", "ストア", "酒店", "書店", "薬局", "リテール"),
    "food_service": ("フーズ", "食堂", "ダイニング", "寿司", "珈琲店", "フードサービス"),
    "hospitality": ("ホテル", "観光", "旅館", "トラベル"),
    "transport": ("交通", "バス", "自動車", "運輸"),
    "taxi": ("タクシー", "ハイヤー", "自動車交通", "無線タクシー"),
    "logistics": ("運送", "物流", "ロジスティクス", "倉庫", "急便"),
    "construction": ("建設", "工務店", "設備", "塗装", "電気工事", "土木"),
    "real_estate": ("不動産", "住宅販売", "ハウジング", "地所", "管理サービス"),
    "healthcare": ("メディカル", "調剤薬局", "医療サービス", "ヘルスケア"),
    "nursing_care": ("ケアサービス", "介護センター", "ライフケア", "福祉サービス"),
    "beauty": ("美容室", "ビューティー", "クリーニング", "理容室"),
    "education": ("学習塾", "教育センター", "スクール", "アカデミー"),
    "finance": ("保険サービス", "リース", "ファイナンス", "保険代理店"),
    "it_services": ("システムズ", "ソフトウェア", "情報サービス", "テクノロジー", "コールセンター"),
    "manufacturing": ("製作所", "精工", "印刷", "製菓", "製麺", "工業"),
    "wholesale": ("商事", "物産", "商会", "トレーディング"),
}
# Kabushiki kaisha most, then the older yugen kaisha and the newer godo kaisha.
COMPANY_FORMS: tuple[tuple[str, float], ...] = (
    ("株式会社{s}{w}", 55), ("{s}{w}株式会社", 25), ("有限会社{s}{w}", 12), ("合同会社{s}{w}", 8),
)


# --------------------------------------------------------------------------- helpers


def _pick(rng: random.Random, weights: Mapping[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _pick_distinct(rng: random.Random, weights: Mapping[str, float], k: int,
                   exclude: Sequence[str] = ()) -> list[str]:
    pool = {key: w for key, w in weights.items() if key not in exclude}
    chosen: list[str] = []
    while pool and len(chosen) < k:
        key = _pick(rng, pool)
        chosen.append(key)
        del pool[key]
    return chosen


def _window(start: str, end: str) -> list[str]:
    return [start, end]


def _range(start: dt.date | str, end: dt.date | str) -> dict[str, str]:
    return {"start": str(start), "end": str(end)}


def _is_blocked(day: dt.date, blocked: list[dict[str, str]]) -> bool:
    text = day.isoformat()
    return any(r["start"] <= text <= r["end"] for r in blocked)


def _availability(weekly: dict[str, Any], dates: dict[str, Any],
                  blocked: list[dict[str, str]]) -> dict[str, Any]:
    availability: dict[str, Any] = {"weekly": weekly}
    if dates:
        availability["dates"] = dict(sorted(dates.items()))
    if blocked:
        availability["blocked"] = sorted(blocked, key=lambda r: r["start"])
    return availability


def _width(count: int) -> int:
    return max(3, len(str(count)))


class _Days:
    """Business days from the application start to after the period, as a sorted list."""

    def __init__(self, calendar: BusinessCalendar) -> None:
        self.calendar = calendar
        first = APPLICATION_START - dt.timedelta(days=7)
        last = PERIOD_END + dt.timedelta(days=60)
        self.days = [
            first + dt.timedelta(days=i)
            for i in range((last - first).days + 1)
            if calendar.is_business_day(first + dt.timedelta(days=i))
        ]
        self.in_period = [d for d in self.days if PERIOD_START <= d <= PERIOD_END]

    def add(self, day: dt.date, count: int) -> dt.date:
        """The ``count``-th business day after ``day`` (same as BusinessCalendar)."""
        if count == 0:
            return day
        index = bisect.bisect_right(self.days, day)
        return self.days[index + count - 1]

    def on_or_before(self, day: dt.date) -> dt.date:
        return self.days[bisect.bisect_right(self.days, day) - 1]

    def next_on_or_after(self, day: dt.date) -> dt.date:
        return self.days[bisect.bisect_left(self.days, day)]


# --------------------------------------------------------------------------- associations


def _short_prefecture(prefecture: str) -> str:
    """東京都 -> 東京, 大阪府 -> 大阪, 神奈川県 -> 神奈川; 北海道 stays."""
    return prefecture[:-1] if prefecture[-1] in "都府県" else prefecture


def _association_name(rng: random.Random, industry: str, city: str,
                      prefecture: str = "東京都") -> str:
    words, special = INDUSTRY_WORDS[industry]
    word = rng.choice(words)
    roll = rng.random()
    if roll < 0.55:
        prefix = prefecture
    elif roll < 0.85:
        prefix = _short_prefecture(prefecture)
    else:
        prefix = city
    kind = rng.random()
    if city in TAMA and kind < 0.04:
        return f"{city}商工会"
    if special and kind < 0.35:
        template = rng.choice(special)
    elif kind < 0.62:
        template = rng.choice(_COOP)
    elif kind < 0.92:
        template = rng.choice(_INCORPORATED)
    else:
        template = rng.choice(_OTHER)
    return template.format(p=prefix, w=word).replace("事業事業", "事業").replace("工業工業", "工業")


def _company_name(rng: random.Random, industry: str) -> str:
    stem = rng.choice(COMPANY_STEMS) if rng.random() < 0.4 else rng.choice(FAMILY_NAMES)
    template = rng.choices([t for t, _ in COMPANY_FORMS], weights=[w for _, w in COMPANY_FORMS])[0]
    return template.format(s=stem, w=rng.choice(COMPANY_WORDS[industry]))


def _city_in(rng: random.Random, prefecture: str) -> str:
    if prefecture == "東京都":
        return rng.choices(CITIES, weights=CITY_WEIGHTS)[0]
    return rng.choice(PREFECTURE_CITIES[prefecture])


def _name_and_city(rng: random.Random, industry: str, used: set[str],
                   companies: bool = False, prefecture: str = "東京都") -> tuple[str, str]:
    """A name not used yet (two applicants of one name confuse everyone), and its city."""
    for _ in range(30):
        city = _city_in(rng, prefecture)
        name = (_company_name(rng, industry) if companies
                else _association_name(rng, industry, city, prefecture))
        if name not in used:
            break
    used.add(name)
    return name, city


def legal_form_of(name: str) -> str:
    """The programme's ①-③ as the name shows it; a company is ③, another legal entity."""
    if name.startswith(("一般社団法人", "公益社団法人", "一般財団法人", "公益財団法人")):
        return "general_incorporated"
    if "組合" in name:
        return "sme_cooperative"
    return "other_corporation"


def _address(rng: random.Random, city: str, prefecture: str = "東京都") -> str:
    town = rng.choice(TOWNS[city] if prefecture == "東京都" else NATIONAL_TOWNS)
    street = f"{rng.randint(1, 5)}-{rng.randint(1, 30)}-{rng.randint(1, 20)}"
    if rng.random() < 0.6:
        building = f"{rng.choice(FAMILY_NAMES)}{rng.choice(BUILDINGS)}{rng.randint(2, 9)}階"
        return f"{prefecture}{city}{town}{street} {building}"
    return f"{prefecture}{city}{town}{street}"


def _applied_day(rng: random.Random, late: bool) -> dt.date:
    span = (APPLICATION_END - APPLICATION_START).days
    if late:
        start = dt.date(2025, 12, 1)
        return start + dt.timedelta(days=rng.randint(0, (APPLICATION_END - start).days))
    roll = rng.random()
    if roll < 0.30:  # the rush after the opening
        offset = rng.randint(0, 27)
    elif roll < 0.90:  # tapering through the autumn
        offset = int(span * rng.betavariate(1.2, 2.2))
    else:  # the run-up to the deadline
        offset = span - rng.randint(0, 20)
    return APPLICATION_START + dt.timedelta(days=min(max(offset, 0), span))


def _applied_at(rng: random.Random, days: _Days, late: bool) -> dt.datetime:
    day = _applied_day(rng, late)
    if not days.calendar.is_business_day(day) and rng.random() < 0.7:
        day = days.next_on_or_after(day)
        if day > APPLICATION_END:
            day = days.on_or_before(APPLICATION_END)
    if rng.random() < 0.85:
        hour = rng.choices(range(9, 18), weights=(5, 9, 9, 5, 7, 9, 8, 7, 5))[0]
    else:
        hour = rng.randint(18, 22)
    return dt.datetime(
        day.year, day.month, day.day, hour, rng.randint(0, 59), rng.randint(0, 59),
        tzinfo=dt.timezone(dt.timedelta(hours=9)),
    )


def _decided_on(rng: random.Random, days: _Days, applied: dt.date, late: bool) -> dt.date:
    if late:
        lag = rng.randint(12, 32)
        cap = dt.date(2026, 2, 27)
    else:
        lag = round(rng.triangular(6, 20, 9))
        cap = PERIOD_END
    decided = days.add(applied, lag)
    return min(decided, days.on_or_before(cap))


def _status(rng: random.Random, applied: dt.date) -> str:
    roll = rng.random()
    if roll < 0.04:
        return "rejected"
    if roll < 0.07:
        return "withdrawn"
    # Still in screening: only recent applications.
    if applied >= dt.date(2025, 12, 10) and roll < 0.17:
        return "received" if roll < 0.11 else "interviewed"
    return "accepted"


def _office_windows(rng: random.Random, industry: str, narrow: bool) -> list[list[list[str]]]:
    """A few alternative day patterns of an association office."""
    if narrow:
        return [[_window(*rng.choice((("13:00", "15:30"), ("10:00", "12:30"), ("14:00", "17:00"),
                                       ("15:00", "17:30"))))]]
    if industry == "food_service" and rng.random() < 0.6:
        return [[_window("14:00", "17:00")]]  # between lunch and dinner service
    if industry in ("nursing_care", "healthcare") and rng.random() < 0.5:
        return [[_window("13:30", "17:00")]]
    patterns = (
        [_window("09:30", "17:30")],
        [_window("10:00", "17:00")],
        [_window("10:00", "12:00"), _window("13:00", "17:00")],
        [_window("13:00", "17:00")],
    )
    main = rng.choices(patterns, weights=(35, 25, 20, 20))[0]
    return [main, [_window("10:00", "12:00")], [_window("13:00", "16:00")]]


def _association_availability(rng: random.Random, days: _Days, industry: str,
                              profile: Profile) -> dict[str, Any] | None:
    """Office hours of a small secretariat; closed for Obon, the year end, the fiscal year end."""
    if not profile.narrow and rng.random() < 0.08:
        return None  # "any business day during business hours"
    low, high = profile.association_weekdays
    count = rng.randint(low, high)
    weekdays = sorted(rng.sample(range(5), count))
    patterns = _office_windows(rng, industry, profile.narrow)
    weekly: dict[str, Any] = {}
    for weekday in weekdays:
        chosen = patterns[0] if len(patterns) == 1 or rng.random() < 0.85 else rng.choice(
            patterns[1:])
        weekly[WEEKDAYS[weekday]] = chosen
    blocked: list[dict[str, str]] = []
    if rng.random() < 0.25:
        blocked.append(_range("2025-08-12", "2025-08-15"))
    if industry in ("retail", "food_service", "hospitality") and rng.random() < 0.3:
        blocked.append(_range("2025-12-15", "2026-01-07"))  # year-end trade
    elif rng.random() < 0.3:
        blocked.append(_range("2025-12-24", "2026-01-07"))
    if rng.random() < 0.15:
        blocked.append(_range("2026-03-02", "2026-03-13"))  # fiscal-year-end closing
    if profile.narrow:
        for _ in range(rng.randint(1, 2)):
            start = rng.choice(days.in_period)
            blocked.append(_range(start, min(start + dt.timedelta(days=rng.randint(10, 20)),
                                             PERIOD_END)))

    dates: dict[str, Any] = {}
    for _ in range(rng.choice((0, 0, 1, 1, 2))):  # board meetings, general assembly days
        day = rng.choice(days.in_period)
        if day.weekday() in weekdays and not _is_blocked(day, blocked):
            dates[day.isoformat()] = []
    return _availability(weekly, dates, blocked)


def _association(rng: random.Random, days: _Days, profile: Profile,
                 used_names: set[str]) -> dict[str, Any]:
    """One application; its id is given once all are numbered in order of application."""
    companies = profile.applicants == "companies"
    mix = APPLICANTS[profile.applicants]
    industry = _pick(rng, INDUSTRY_WEIGHTS)
    prefecture = _pick(rng, PREFECTURE_WEIGHTS) if profile.national else "東京都"
    name, city = _name_and_city(rng, industry, used_names, companies, prefecture)
    late = rng.random() < profile.late_share
    applied_at = _applied_at(rng, days, late)
    applied = applied_at.date()
    status = _status(rng, applied)
    decided: dt.date | None = None
    if status in ("accepted", "rejected") or (status == "withdrawn" and rng.random() < 0.5):
        decided = _decided_on(rng, days, applied, late)

    primary = _pick(rng, mix.primary_needs)
    extra = rng.choices((0, 1, 2), weights=(35, 45, 20))[0]
    needs = [primary, *_pick_distinct(rng, mix.secondary_needs, extra, exclude=[primary])]
    has_manual = rng.random() < 0.12
    if has_manual:
        sessions = 1
        minutes = rng.choice((90, 120))
    else:
        sessions = rng.choices(*mix.sessions)[0]
        minutes = rng.choices((60, 90, 120), weights=(20, 35, 45))[0]
    member_count = min(max(int(rng.lognormvariate(4.6, 1.0)), 8), 6000)

    record: dict[str, Any] = {
        "id": "",
        "name": name,
        "legal_form": legal_form_of(name),
        "prefecture": prefecture,
        "city": city,
        "address": _address(rng, city, prefecture),
        "industry": industry,
        "member_count": member_count,
        "applied_at": applied_at.isoformat(),
    }
    if companies:
        del record["member_count"]  # a company has staff, not members
    if decided is not None:
        record["decided_on"] = decided.isoformat()
    record.update({
        "status": status,
        "needs": needs,
        "sessions_requested": sessions,
        "session_minutes": minutes,
        "mode": rng.choices(("either", "onsite", "online"), weights=(50, 30, 20))[0],
        "has_manual": has_manual,
    })
    availability = _association_availability(rng, days, industry, profile)
    if availability is not None:
        record["availability"] = availability
    return record


# --------------------------------------------------------------------------- experts

_EXPERT_DAYS = (
    ([_window("09:00", "17:00")], 18),
    ([_window("10:00", "18:00")], 12),
    ([_window("09:30", "17:30")], 8),
    ([_window("13:00", "18:00")], 15),
    ([_window("13:30", "17:30")], 8),
    ([_window("09:00", "12:00")], 9),
    ([_window("09:00", "12:30")], 6),
    ([_window("09:00", "12:00"), _window("14:00", "18:00")], 14),
    ([_window("10:00", "12:00"), _window("15:00", "18:00")], 6),
)
_NARROW_EXPERT_DAYS = (
    ([_window("13:00", "16:00")], 3),
    ([_window("10:00", "12:30")], 3),
    ([_window("14:00", "17:00")], 3),
    ([_window("15:00", "18:00")], 2),
)


def _expert_availability(rng: random.Random, days: _Days, profile: Profile) -> dict[str, Any]:
    """Two to four weekdays, often half days, Obon and the year end off, personal weeks."""
    low, high = profile.expert_weekdays
    weekdays = sorted(rng.sample(range(5), rng.randint(low, high)))
    table = _NARROW_EXPERT_DAYS if profile.narrow else _EXPERT_DAYS
    patterns = [p for p, _ in table]
    weights = [w for _, w in table]
    weekly: dict[str, Any] = {
        WEEKDAYS[weekday]: rng.choices(patterns, weights=weights)[0] for weekday in weekdays
    }
    blocked: list[dict[str, str]] = []
    if rng.random() < 0.55:
        blocked.append(_range(*OBON))
    if rng.random() < 0.35:
        blocked.append(_range(*YEAR_END))
    mondays = [d for d in days.in_period if d.weekday() == 0 and not _is_blocked(d, blocked)]
    personal = rng.choice((0, 1, 1, 2)) + (2 if profile.narrow else 0)
    for monday in sorted(rng.sample(mondays, personal)):  # conferences, holidays, big clients
        blocked.append(_range(monday, monday + dt.timedelta(days=4)))

    dates: dict[str, Any] = {}
    for _ in range(rng.choice((0, 1, 1, 2, 3))):
        day = rng.choice(days.in_period)
        if _is_blocked(day, blocked):
            continue
        if day.weekday() in weekdays:
            dates[day.isoformat()] = []  # a seminar, a client's audit
        elif not profile.narrow:
            dates[day.isoformat()] = [rng.choice(patterns)[0]]  # an extra day this once
    return _availability(weekly, dates, blocked)


def _quota(rng: random.Random, weights: Mapping[str, float], count: int) -> list[str]:
    """``count`` keys in the proportions of ``weights`` (largest remainder), shuffled.

    A small pool of experts then still has the programme's mix: every key at least
    once when there are as many experts as keys.
    """
    total = sum(weights.values())
    exact = {key: count * w / total for key, w in weights.items()}
    least = 1 if count >= len(weights) else 0
    quota = {key: max(int(value), least) for key, value in exact.items()}
    by_remainder = sorted(weights, key=lambda k: (quota[k] - exact[k], k))
    while sum(quota.values()) < count:
        key = by_remainder.pop(0) if by_remainder else max(weights, key=lambda k: weights[k])
        quota[key] += 1
    while sum(quota.values()) > count:
        key = max((k for k in quota if quota[k] > least), key=lambda k: (quota[k] - exact[k], k))
        quota[key] -= 1
    keys = [key for key, n in quota.items() for _ in range(n)]
    rng.shuffle(keys)
    return keys


def _expert(rng: random.Random, index: int, width: int, days: _Days, profile: Profile,
            used_names: set[str], first: str) -> dict[str, Any]:
    for _ in range(30):
        name = f"{rng.choice(FAMILY_NAMES)} {rng.choice(GIVEN_NAMES)}"
        if name not in used_names:
            break
    used_names.add(name)
    qualifications = [first]
    if rng.random() < 0.4:
        qualifications += _pick_distinct(rng, APPLICANTS[profile.applicants].second_qualifications,
                                         1, exclude=[first])
    industries = _pick_distinct(rng, INDUSTRY_WEIGHTS, rng.choices((1, 2, 3, 4),
                                                                   weights=(20, 35, 30, 15))[0])
    roll = rng.random()
    if roll < profile.single_mode_experts / 2:
        modes = ["online"]
    elif roll < profile.single_mode_experts:
        modes = ["onsite"]
    else:
        modes = ["onsite", "online"]
    per_day = rng.choices((1, 2, 3), weights=(30, 50, 20))[0]
    low, high = profile.sessions_per_week
    per_week = max(rng.randint(low, high), min(per_day, high))
    return {
        "id": f"E{index:0{width}d}",
        "name": name,
        "qualifications": qualifications,
        "industries": industries,
        "modes": modes,
        "base_area": rng.choices(EXPERT_AREAS, weights=EXPERT_AREA_WEIGHTS)[0],
        "max_associations": rng.randint(*profile.max_associations),
        "max_sessions_per_day": per_day,
        "max_sessions_per_week": per_week,
        "availability": _expert_availability(rng, days, profile),
        "conflicts": [],
    }


def _add_conflicts(rng: random.Random, experts: list[dict[str, Any]],
                   associations: list[dict[str, Any]], profile: Profile) -> None:
    """An expert advises some associations of its own field, so may not serve them."""
    if not associations:
        return
    by_industry: dict[str, list[int]] = {}
    for index, association in enumerate(associations):
        by_industry.setdefault(association["industry"], []).append(index)
    total = len(associations)
    for expert in experts:
        if rng.random() >= profile.conflicted_experts:
            continue
        if profile.conflict_share[1] > 0:
            count = max(1, round(total * rng.uniform(*profile.conflict_share)))
        else:
            count = rng.choice((1, 1, 2))
        # Industries of one expert are distinct, so their association lists are disjoint.
        own = [i for industry in expert["industries"] for i in by_industry.get(industry, [])]
        chosen = set(rng.sample(own, min(len(own), max(1, count // 2))))
        count = min(count, total)
        if len(chosen) < count:
            chosen.update(rng.sample(range(total), count - len(chosen)))
        while len(chosen) < count:
            chosen.add(rng.randrange(total))
        expert["conflicts"] = [associations[i]["id"] for i in sorted(chosen)]


def _place_national_experts(rng: random.Random, experts: list[dict[str, Any]]) -> None:
    """Each expert's ``base_area`` in a prefecture (``大阪府大阪市``). Experts who offer
    onsite sessions serve them in their own prefecture, so they are spread over the
    prefectures in the associations' proportions (every prefecture gets one once there
    are 47); online-only experts live anywhere and serve anywhere."""
    onsite = [expert for expert in experts if "onsite" in expert["modes"]]
    for expert, prefecture in zip(onsite, _quota(rng, PREFECTURE_WEIGHTS, len(onsite)),
                                  strict=True):
        expert["base_area"] = f"{prefecture}{_city_in(rng, prefecture)}"
    for expert in experts:
        if "onsite" not in expert["modes"]:
            prefecture = _pick(rng, PREFECTURE_WEIGHTS)
            expert["base_area"] = f"{prefecture}{_city_in(rng, prefecture)}"


def _may_travel(expert: dict[str, Any], association: dict[str, Any]) -> bool:
    """National profile: an expert is sent onsite only within its own prefecture."""
    return str(expert["base_area"]).startswith(association["prefecture"])


# --------------------------------------------------------------------------- pinned sessions


@dataclass
class _Booked:
    """An expert's pinned sessions so far, to keep rules 6 and 7 while pinning."""

    ledger: ExpertLedger  # day keys are ordinals, week keys _iso_week
    associations: set[str] = field(default_factory=set)


def _iso_week(day: dt.date) -> int:
    year, week, _ = day.isocalendar()
    return year * 100 + week


def _starts(windows_a: list[tuple[int, int]], windows_e: list[tuple[int, int]],
            minutes: int) -> list[int]:
    """Every :00/:30 start whose session fits one window of each side."""
    starts = []
    for a_start, a_end in windows_a:
        for e_start, e_end in windows_e:
            low, high = max(a_start, e_start), min(a_end, e_end)
            start = -(-low // 30) * 30
            while start + minutes <= high:
                starts.append(start)
                start += 30
    return sorted(set(starts))


def _pin_sessions(rng: random.Random, document: dict[str, Any],
                  count: int, national: bool = False) -> list[dict[str, Any]]:
    """Session 1 of ``count`` early accepted associations, as the secretariat confirmed them.

    Each obeys rules 3-8 on its own and together with the other pins (business day
    and hours, :00/:30, five business days after the decision, one window of the
    lead and of the association, qualified lead offering the mode, no conflict,
    the lead's day, week and association caps, the travel buffer), and is placed
    early enough that the association's other sessions still fit after it.
    """
    programme = Programme.model_validate(document["programme"])
    calendar = BusinessCalendar(programme)
    hours = (programme.business_hours.start, programme.business_hours.end)
    period = programme.implementation_period
    gap_days = programme.min_days_between_sessions
    buffer = programme.travel_buffer_minutes
    scenario_needs = {need: set(d.covered_by) for need, d in programme.words.needs.items()}

    def availability(record: dict[str, Any]) -> Availability | None:
        raw = record.get("availability")
        return None if raw is None else Availability.model_validate(raw)

    def windows(av: Availability | None, day: dt.date) -> list[tuple[int, int]]:
        return clip(windows_on(av, day, hours), hours)

    def common_starts(a_av: Availability | None, e_av: Availability | None, day: dt.date,
                      minutes: int) -> list[int]:
        if not calendar.is_business_day(day) or day not in period:
            return []
        return _starts(windows(a_av, day), windows(e_av, day), minutes)

    def rest_fits(a_av: Availability | None, e_av: Availability | None, first: dt.date,
                  sessions: int, minutes: int) -> bool:
        day = first
        for _ in range(sessions - 1):
            day += dt.timedelta(days=gap_days)
            while day <= period.end and not common_starts(a_av, e_av, day, minutes):
                day += dt.timedelta(days=1)
            if day > period.end:
                return False
        return True

    accepted = [a for a in document["associations"] if a["status"] == "accepted"]
    accepted.sort(key=lambda a: (a["decided_on"], a["id"]))
    early = accepted[: max(4 * count, 12)]
    rng.shuffle(early)
    pool = early + accepted[len(early):]
    # Pins are held to rule 6 as the spec words it (the checker's reading, not the
    # planner's padding).
    booked = {e["id"]: _Booked(ExpertLedger(e["max_sessions_per_day"],
                                            e["max_sessions_per_week"], spec_gap))
              for e in document["experts"]}
    pins: list[dict[str, Any]] = []
    for association in pool:
        if len(pins) == count:
            break
        quals = scenario_needs.get(association["needs"][0], set())
        candidates = [
            e for e in document["experts"]
            if quals.intersection(e["qualifications"])
            and association["id"] not in e["conflicts"]
            and len(booked[e["id"]].associations) < e["max_associations"]
            and (association["mode"] == "either" or association["mode"] in e["modes"])
            # A national programme's regions stay independent: an online association
            # with online-only experts, any other with experts of its own prefecture.
            and (not national or (("onsite" in e["modes"] and _may_travel(e, association))
                                  if association["mode"] != "online"
                                  else e["modes"] == ["online"]))
        ]
        rng.shuffle(candidates)
        candidates.sort(key=lambda e: association["industry"] not in e["industries"])
        a_av = availability(association)
        minutes = association["session_minutes"]
        sessions = association["sessions_requested"]
        earliest = max(calendar.earliest_first_session(_D(association["decided_on"])),
                       period.start)
        for expert in candidates:
            if association["mode"] != "either":
                mode = association["mode"]
            elif len(expert["modes"]) == 1:
                mode = expert["modes"][0]
            else:
                mode = "onsite" if rng.random() < 0.6 else "online"
            e_av = availability(expert)
            ledger = booked[expert["id"]].ledger
            pad = buffer if mode == "onsite" else 0
            slot = None
            for offset in range(35):  # early in the association's window
                day = earliest + dt.timedelta(days=offset)
                for start in common_starts(a_av, e_av, day, minutes):
                    if ledger.is_free(day.toordinal(), _iso_week(day), start, start + minutes,
                                      pad):
                        slot = (day, start)
                        break
                if slot is not None:
                    break
            if slot is None or not rest_fits(a_av, e_av, slot[0], sessions, minutes):
                continue
            day, start = slot
            assert fits_in_some_window(windows(a_av, day), start, start + minutes)
            assert fits_in_some_window(windows(e_av, day), start, start + minutes)
            booked[expert["id"]].associations.add(association["id"])
            ledger.book(day.toordinal(), _iso_week(day), start, start + minutes, pad)
            pins.append({
                "association_id": association["id"],
                "number": 1,
                "phase": phase_of(1, sessions),
                "expert_ids": [expert["id"]],
                "date": day.isoformat(),
                "start": format_clock(start),
                "end": format_clock(start + minutes),
                "mode": mode,
            })
            break
    if len(pins) < count:
        raise ValueError(
            f"could pin only {len(pins)} of {count} sessions: too few early accepted "
            "associations with a qualified, available expert"
        )
    pins.sort(key=lambda p: (p["date"], p["start"], p["association_id"]))
    return pins


# --------------------------------------------------------------------------- entry point


def generate_scenario(associations: int, experts: int, seed: int, profile: str = "balanced",
                      pinned: int = 0) -> dict[str, Any]:
    """A scenario of ``associations`` applications and ``experts`` experts, as JSON-ready dict.

    Deterministic in its arguments. ``pinned`` sessions (session 1 of early accepted
    associations) obey every hard rule on their own and leave room for the rest of
    their association's sessions. Raises ``ValueError`` on an unknown profile,
    negative counts, or when ``pinned`` sessions cannot be placed.
    """
    if profile not in PROFILES:
        raise ValueError(f"unknown profile {profile!r}; choose one of {', '.join(PROFILES)}")
    if associations < 0 or experts < 0 or pinned < 0:
        raise ValueError("associations, experts and pinned must not be negative")
    params = PROFILES[profile]
    mix = APPLICANTS[params.applicants]
    rng = random.Random(f"haken:{profile}:{seed}")
    days = _Days(BusinessCalendar(Programme.model_validate(mix.programme)))

    names: set[str] = set()
    association_records = [_association(rng, days, params, names) for _ in range(associations)]
    # Ids in order of application, as a secretariat numbers them.
    association_records.sort(key=lambda a: a["applied_at"])
    width = _width(associations)
    for i, record in enumerate(association_records, start=1):
        record["id"] = f"A{i:0{width}d}"
    names = set()
    expert_records = [
        _expert(rng, i + 1, _width(experts), days, params, names, first)
        for i, first in enumerate(_quota(rng, mix.qualifications, experts))
    ]
    _add_conflicts(rng, expert_records, association_records, params)
    if params.national:
        _place_national_experts(rng, expert_records)

    document: dict[str, Any] = {
        "programme": copy.deepcopy(dict(mix.programme)),
        "experts": expert_records,
        "associations": association_records,
        "pinned": [],
    }
    if pinned:
        document["pinned"] = _pin_sessions(rng, document, pinned, params.national)
    return document



def generate_expert_pool(count: int, seed: int, profile: str, qualifications: Sequence[str],
                         associations: Sequence[dict[str, Any]] = (),
                         prefix: str = "E") -> list[dict[str, Any]]:
    """``count`` experts who each hold one of ``qualifications`` only, for sizing a pool.

    Drawn like ``generate_scenario``'s experts (availability, caps, modes, industries,
    conflicts with some of ``associations``), but with a single qualification, in the
    proportions of the profile's mix among ``qualifications``, so every expert counts
    towards exactly one kind. A prefix of the list is a smaller pool of the same kind:
    sizing grows a pool by taking more of the same list.
    """
    if profile not in PROFILES:
        raise ValueError(f"unknown profile {profile!r}; choose one of {', '.join(PROFILES)}")
    params = PROFILES[profile]
    mix = APPLICANTS[params.applicants]
    unknown = [q for q in qualifications if q not in mix.qualifications]
    if unknown or not qualifications:
        raise ValueError(f"qualifications {unknown or '[]'} are not in profile {profile!r}")
    rng = random.Random(f"haken:pool:{profile}:{seed}:{','.join(sorted(qualifications))}")
    days = _Days(BusinessCalendar(Programme.model_validate(mix.programme)))
    weights = {q: mix.qualifications[q] for q in sorted(qualifications)}
    # A sequence of blocks in the mix's proportions, so every prefix keeps roughly the mix.
    block = max(len(weights), 10)
    firsts: list[str] = []
    while len(firsts) < count:
        firsts += _quota(rng, weights, block)
    names: set[str] = set()
    experts = []
    for i, first in enumerate(firsts[:count]):
        expert = _expert(rng, i + 1, _width(count), days, params, names, first)
        expert["id"] = f"{prefix}{i + 1:0{_width(count)}d}"
        expert["qualifications"] = [first]
        experts.append(expert)
    _add_conflicts(rng, experts, list(associations), params)
    return experts
