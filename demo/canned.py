"""The demo office's canned explanations (话术库): what its staff have agreed to tell residents
about the matters that come up again and again."""

from __future__ import annotations

from complaints.models import CannedExplanation, Category

# category code (None: every category), title, text
CANNED: list[tuple[str | None, str, str]] = [
    (
        "FAC-MAILBOX",
        "信报箱由邮政统一安装",
        "小区信报箱由邮政部门按国家标准统一设计、安装和维护，物业服务中心无权自行改动位置或"
        "样式。您的意见我们已记录，会在三个工作日内转交邮政部门并把答复告诉您。",
    ),
    (
        "QUAL",
        "维修基金使用流程",
        "共用部位、共用设施设备的大修需使用专项维修资金：由物业服务中心提出方案和预算，经业主"
        "大会表决同意后向住建部门申请划拨，一般需要一至两个月。期间我们会先做临时处置，避免损失扩大。",
    ),
    (
        "QUAL-LEAK",
        "保修期内渗漏由开发商负责",
        "您家交房未满五年，防水工程仍在开发商保修期内。我们已通知开发商维修部门，会陪同他们上门"
        "查看，并约定维修时间后回电告诉您。",
    ),
    (
        "QUAL-LEAK",
        "楼上渗漏需先查明来源",
        "渗漏来自楼上住户时，需要先请楼上配合闭水试验查明原因。我们负责联系楼上业户并协调上门"
        "时间，查明责任后再商定维修和赔偿。",
    ),
    (
        "FAC-LIFT",
        "电梯年检与维保",
        "电梯由有资质的维保单位每半月保养一次，每年由特种设备检验机构检验。停梯检修会提前一天"
        "在大堂和电梯厅公告，我们会尽量安排在用梯较少的时段。",
    ),
    (
        "FAC-UTIL",
        "市政停水停电",
        "此次停水（停电）是供水（供电）公司的市政检修，不是小区设施故障。恢复时间以供水（供电）"
        "公司通知为准，我们会在恢复后第一时间通知您。",
    ),
    (
        "FEE-PROP",
        "物业费标准的依据",
        "物业费标准依据前期物业服务合同和物价部门备案的收费标准执行，收支情况每年在公告栏公示。"
        "您可以到物业服务中心查阅备案文件和上年度的收支报告。",
    ),
    (
        "FEE-PAIDREP",
        "户内维修为有偿服务",
        "户内设施（如水龙头、灯具、户内管道）属于业户自有部分，维修为有偿服务，收费按服务中心"
        "公示的价目表执行，材料可以自备。",
    ),
    (
        "SEC-PARK",
        "车位实行先到先停",
        "小区地面临时车位数量有限，按先到先停管理，不能为个人保留。长期停车可以到服务中心登记"
        "租用地下车位，目前仍有空余。",
    ),
    (
        "SEC-RENO",
        "装修施工时间规定",
        "根据《装修管理规定》，装修施工时间为工作日8:00—12:00、14:00—18:00，周末及法定节假日"
        "不得进行产生噪音的施工。我们已提醒该户遵守，并会加强巡查。",
    ),
    (
        "ENV-GREEN",
        "绿化修剪与打药",
        "绿化修剪和病虫害防治按季度计划进行，打药前一天会在单元门口张贴通知并避开上下学时段。"
        "您反映的位置我们已安排本周内处理。",
    ),
    (
        None,
        "已记录并限时回电",
        "您反映的情况我们已经详细记录，由专人负责跟进。我们会在约定的时间前给您回电，告知处理"
        "进展，请您保持电话畅通。",
    ),
]


def demo_canned_create() -> None:
    """The demo's canned explanations, for the categories the migrations seeded; those the
    office already has (by title) are left as they are."""
    categories = {category.code: category for category in Category.objects.all()}
    present = set(CannedExplanation.objects.values_list("title", flat=True))
    for order, (code, title, text) in enumerate(CANNED):
        if title not in present:
            CannedExplanation.objects.create(
                category=categories[code] if code else None, title=title, text=text, order=order
            )
