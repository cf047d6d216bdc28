"""The roles and departments every installation starts with, seeded by a migration."""

ROLES = ("front_desk", "handler", "supervisor", "manager")
DEPARTMENTS = (
    ("CS", "客服部", "Customer service"),
    ("ENG", "工程部", "Engineering"),
    ("SEC", "秩序维护部", "Security and order"),
    ("CLN", "保洁", "Cleaning"),
    ("LND", "绿化", "Landscaping"),
    ("FIN", "财务", "Finance"),
)


def seed_roles_and_departments(Group, Department) -> None:
    for role in ROLES:
        Group.objects.get_or_create(name=role)
    for code, name_zh, name_en in DEPARTMENTS:
        Department.objects.get_or_create(
            code=code, defaults={"name_zh": name_zh, "name_en": name_en}
        )
