"""Japan's 47 prefectures, and the prefecture an address or area names.

The exchange format has no field for an expert's region: an expert's ``base_area``
and an association's address say where they are. A national programme reads the
region from them: the prefecture a place name starts with (``大阪府大阪市`` is in
大阪府). Tokyo's own programme writes areas without the prefecture (``新宿区``),
which name no region.
"""

from __future__ import annotations

# In the order of the JIS X 0401 codes (01 北海道 ... 47 沖縄県).
PREFECTURES: tuple[str, ...] = (
    "北海道", "青森県", "岩手県", "宮城県", "秋田県", "山形県", "福島県", "茨城県", "栃木県",
    "群馬県", "埼玉県", "千葉県", "東京都", "神奈川県", "新潟県", "富山県", "石川県", "福井県",
    "山梨県", "長野県", "岐阜県", "静岡県", "愛知県", "三重県", "滋賀県", "京都府", "大阪府",
    "兵庫県", "奈良県", "和歌山県", "鳥取県", "島根県", "岡山県", "広島県", "山口県", "徳島県",
    "香川県", "愛媛県", "高知県", "福岡県", "佐賀県", "長崎県", "熊本県", "大分県", "宮崎県",
    "鹿児島県", "沖縄県",
)


def prefecture_of(place: str | None) -> str | None:
    """The prefecture ``place`` starts with (a full name such as 神奈川県), else None."""
    if not place:
        return None
    text = place.strip()
    # Longest first: no prefecture name is a prefix of another, but be safe about it.
    for name in sorted(PREFECTURES, key=len, reverse=True):
        if text.startswith(name):
            return name
    return None
