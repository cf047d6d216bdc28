"""The default categories and deadline policies, seeded by a migration and editable afterwards."""

# code, Chinese, English, default department, warranty years, sub-types
CATEGORIES: list[tuple[str, str, str, str, int | None, list[tuple[str, str, str, int | None]]]] = [
    (
        "QUAL",
        "房屋质量",
        "House quality and defects",
        "ENG",
        None,
        [
            ("LEAK", "渗漏", "Leaks", 5),
            ("CRACK", "开裂", "Cracks", 2),
            ("MEP", "水电", "Plumbing and electrical", 2),
            ("FITOUT", "装修", "Fit-out", 2),
        ],
    ),
    (
        "FAC",
        "设施设备",
        "Facilities and equipment",
        "ENG",
        None,
        [
            ("LIFT", "电梯", "Lifts", None),
            ("UTIL", "供水供电", "Water and power supply", None),
            ("ACCESS", "门禁", "Access control", None),
            ("MAILBOX", "信报箱", "Mailboxes", None),
            ("LIGHT", "照明", "Lighting", None),
            ("FIRE", "消防设施", "Fire equipment", None),
        ],
    ),
    (
        "ENV",
        "环境卫生与绿化",
        "Cleaning and landscaping",
        "CLN",
        None,
        [
            ("CLEAN", "保洁", "Cleaning", None),
            ("REFUSE", "垃圾清运", "Refuse collection", None),
            ("GREEN", "绿化养护", "Greenery", None),
            ("PEST", "虫害", "Pests", None),
        ],
    ),
    (
        "SEC",
        "秩序安全",
        "Security and order",
        "SEC",
        None,
        [
            ("GATE", "门岗", "Gate", None),
            ("PARK", "停车", "Parking", None),
            ("LANE", "消防通道", "Fire lanes", None),
            ("RENO", "装修管理", "Renovation control", None),
            ("NOISE", "噪音", "Noise", None),
        ],
    ),
    (
        "SVC",
        "服务质量",
        "Staff service and attitude",
        "CS",
        None,
        [
            ("ATTITUDE", "态度", "Attitude", None),
            ("TIMELY", "时效", "Timeliness", None),
            ("BUCK", "推诿", "Passing the buck", None),
        ],
    ),
    (
        "FEE",
        "收费",
        "Fees and charges",
        "FIN",
        None,
        [
            ("PROP", "物业费", "Property fee", None),
            ("PARKFEE", "停车费", "Parking fee", None),
            ("SHARED", "公摊", "Shared costs", None),
            ("PAIDREP", "有偿维修", "Paid repairs", None),
        ],
    ),
    (
        "NBR",
        "邻里及其他",
        "Neighbours and other",
        "CS",
        None,
        [
            ("DISPUTE", "邻里纠纷", "Neighbour disputes", None),
            ("OTHER", "其他", "Other", None),
        ],
    ),
]

# Sub-types whose department differs from their parent's.
SUBTYPE_DEPARTMENTS = {"ENV-GREEN": "LND", "ENV-PEST": "LND"}

HOUR = 60
DAY = 24 * HOUR

# The SPEC's defaults. Urgent runs around the clock. Major and normal run on business time:
# hours are business hours, and "days" are working days (the same moment N working days on),
# so a normal complaint's 24-hour first callback is "by this time next working day".
POLICIES = [
    (
        "urgent",
        "calendar",
        15,
        {
            "first_callback_minutes": 2 * HOUR,
            "resolution_minutes": 24 * HOUR,
            "follow_up_minutes": DAY,
            "take_over_minutes": 30,
        },
    ),
    (
        "major",
        "business",
        30,
        {
            "first_callback_minutes": 12 * HOUR,
            "resolution_working_days": 5,
            "follow_up_working_days": 3,
            "take_over_minutes": HOUR,
        },
    ),
    (
        "normal",
        "business",
        2 * HOUR,
        {
            "first_callback_working_days": 1,
            "resolution_working_days": 3,
            "follow_up_working_days": 3,
            "take_over_minutes": 2 * HOUR,
        },
    ),
]


def seed_defaults(Category, Department, DeadlinePolicy) -> None:
    """Create what is missing; never overwrite what an administrator changed."""
    departments = {d.code: d for d in Department.objects.all()}
    for code, name_zh, name_en, dept, years, subtypes in CATEGORIES:
        parent, _ = Category.objects.get_or_create(
            code=code,
            defaults={
                "name_zh": name_zh,
                "name_en": name_en,
                "default_department": departments.get(dept),
                "warranty_years": years,
            },
        )
        for sub_code, sub_zh, sub_en, sub_years in subtypes:
            full_code = f"{code}-{sub_code}"
            Category.objects.get_or_create(
                code=full_code,
                defaults={
                    "parent": parent,
                    "name_zh": sub_zh,
                    "name_en": sub_en,
                    "default_department": departments.get(SUBTYPE_DEPARTMENTS.get(full_code, dept)),
                    "warranty_years": sub_years,
                },
            )
    # An early migration passes the model as it stood then: only the fields it had.
    fields = {field.name for field in DeadlinePolicy._meta.get_fields()}
    for severity, clock, acknowledge, durations in POLICIES:
        DeadlinePolicy.objects.get_or_create(
            category=None,
            severity=severity,
            defaults={
                "clock": clock,
                "acknowledge_minutes": acknowledge,
                **{name: value for name, value in durations.items() if name in fields},
            },
        )
