"""The industries the knowledge base is tagged with, and the names users may call them by."""

from __future__ import annotations

from assistant.errors import BadInputError
from assistant.glossary import mentions

INDUSTRY_ALIASES: dict[str, tuple[str, ...]] = {
    "general": ("general", "通用", "跨行业"),
    "manufacturing": ("manufacturing", "manufacturer", "manufacturers", "制造业", "制造", "生产制造"),
    "automotive": ("automotive", "auto", "carmaker", "carmakers", "automaker", "automakers", "汽车", "汽车行业",
                   "汽车制造"),
    "electronics": ("electronics", "电子", "电子行业", "消费电子", "电子产品"),
    "food": ("food", "食品", "食品行业", "餐饮食品"),
    "pharma": ("pharma", "pharmaceutical", "medical devices", "medical device", "医药", "医药行业", "制药",
               "医疗器械"),
    "services": ("services", "service", "服务业", "服务"),
    "logistics": ("logistics", "express delivery", "delivery", "物流", "快递", "物流快递", "物流业"),
    "retail": ("retail", "retailer", "retailers", "e-commerce", "ecommerce", "零售", "零售业", "电商", "电子商务"),
    "software": ("software", "saas", "software/saas", "软件", "软件行业", "软件业", "互联网"),
    "healthcare": ("healthcare", "health care", "hospital", "hospitals", "医疗", "医疗卫生", "医院"),
    "hospitality": ("hospitality", "hotel", "hotels", "restaurant", "restaurants", "酒店", "酒店业", "餐饮",
                    "旅游住宿"),
}

_LOOKUP = {alias.lower(): key for key, aliases in INDUSTRY_ALIASES.items() for alias in aliases}


def normalize_industry(name: str | None) -> str | None:
    """Canonical industry key for an English or Chinese name; a clear error listing the known ones."""
    if name is None:
        return None
    if not isinstance(name, str):
        raise BadInputError("industry must be text")
    if not name.strip():
        return None
    key = _LOOKUP.get(name.strip().lower())
    if key is None:
        known = ", ".join(f"{k} ({v[1] if len(v) > 1 else k})" for k, v in INDUSTRY_ALIASES.items())
        raise BadInputError(f"unknown industry '{name}'; known industries: {known}")
    return key


def industry_mentions(text: str) -> list[tuple[str, str]]:
    """(alias as written, industry key) for each industry named in the text, longest alias first."""
    aliases = sorted(((a, k) for k, names in INDUSTRY_ALIASES.items() for a in names if k != "general"),
                     key=lambda pair: len(pair[0]), reverse=True)
    found: list[tuple[str, str]] = []
    for alias, key in aliases:
        if mentions(text, alias) and not any(alias in seen for seen, _ in found):
            found.append((alias, key))
    return found
