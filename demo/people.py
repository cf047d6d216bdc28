"""Plausible names and phone numbers for demo residents and walk-in complainants."""

import random

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏"
    "魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万"
)
GIVEN_NAMES = (
    "伟",
    "芳",
    "娜",
    "秀英",
    "敏",
    "静",
    "丽",
    "强",
    "磊",
    "军",
    "洋",
    "勇",
    "艳",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "秀兰",
    "霞",
    "平",
    "刚",
    "桂英",
    "建华",
    "志强",
    "海燕",
    "晓东",
    "雪梅",
    "子涵",
    "浩然",
    "欣怡",
    "梓轩",
    "雨桐",
    "俊杰",
    "佳怡",
    "文博",
    "慧敏",
    "国庆",
    "建国",
    "丽华",
)
ENGLISH_NAMES = (
    "David Miller",
    "Anna Schmidt",
    "James Wilson",
    "Sophie Martin",
    "Kenji Tanaka",
    "Olivia Brown",
    "Lucas Dubois",
    "Emma Johansson",
)
# Chinese mobile prefixes; numbers are random and belong to nobody in particular.
MOBILE_PREFIXES = (
    "130",
    "131",
    "132",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "155",
    "158",
    "159",
    "166",
    "177",
    "180",
    "181",
    "186",
    "187",
    "188",
    "189",
    "191",
    "199",
)


def person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN_NAMES)


def mobile_phone(rng: random.Random) -> str:
    """Normalised like ``residents.phones.normalise_phone`` leaves it: ``86`` + 11 digits."""
    return f"86{rng.choice(MOBILE_PREFIXES)}{rng.randrange(10**8):08d}"
