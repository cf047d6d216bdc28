"""What residents complain about in the demo: per sub-category summaries and accounts.

Placeholders: ``{unit}`` (3号楼2单元-1201), ``{building}`` (3号楼), ``{days}`` (a small number).
A category without an entry here (one added in the admin) gets a generic one from its name.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property


@dataclass(frozen=True)
class Subject:
    # Summary → the resident's account of it.
    cases: dict[str, str]
    # Weights for normal, major, urgent.
    severity: tuple[float, float, float] = (90, 9, 1)
    # Weights for explanation, repair, compensation, apology, other.
    outcome: tuple[float, float, float, float, float] = (10, 70, 10, 5, 5)
    # Share of complaints about a common area rather than a unit.
    common_area: float = 0.0

    @cached_property
    def pairs(self) -> tuple[tuple[str, str], ...]:
        return tuple(self.cases.items())


SUBJECTS: dict[str, Subject] = {
    "QUAL-LEAK": Subject(
        {
            "卫生间顶板渗水": "楼上卫生间好像漏水，我家天花板一大片水渍，还在往下滴。",
            "外墙渗水，卧室墙面发霉": "外墙渗水，卧室靠窗那面墙发霉，家里老人孩子很担心。",
            "阳台窗边雨天漏水": "下雨天阳台窗框边漏水，木地板已经泡坏了，这是第二次了。",
            "客厅墙面渗水起泡": "最近几场雨后，{unit}客厅墙面一直渗水，墙皮起泡脱落。",
            "渗漏原因和保修责任": "交付没几年就漏水，想问清楚原因和责任，还在不在保修期？",
        },
        severity=(70, 27, 3),
        outcome=(10, 60, 25, 2, 3),
    ),
    "QUAL-CRACK": Subject(
        {
            "客厅墙面出现裂缝": "客厅墙上出现一条斜裂缝，这{days}天明显变长了。",
            "外墙瓷砖开裂有脱落风险": "{building}外墙瓷砖开裂，楼下常有孩子玩，怕砸到人。",
            "地面瓷砖空鼓开裂": "卧室地砖空鼓开裂，走上去有响声。",
        },
        severity=(80, 18, 2),
        outcome=(15, 65, 15, 2, 3),
    ),
    "QUAL-MEP": Subject(
        {
            "卫生间下水不畅反味": "卫生间地漏下水很慢，一直有臭味返上来。",
            "插座跳闸无法使用": "厨房插座一用电器就跳闸，电工看了说是线路问题。",
            "热水管接头漏水": "热水管接头漏水，橱柜里面都湿了。",
            "入户水压太低": "家里水压很低，热水器经常打不着火。",
        },
        severity=(85, 13, 2),
    ),
    "QUAL-FITOUT": Subject(
        {
            "交付的木门变形关不上": "精装交付的卧室门变形，已经关不上了。",
            "窗户密封条老化漏风": "窗户密封条老化，冬天漏风很严重。",
            "木地板起拱": "客厅木地板大面积起拱，走路都绊脚。",
        },
        outcome=(10, 70, 15, 2, 3),
    ),
    "FAC-LIFT": Subject(
        {
            "电梯停运": "{building}电梯从早上开始停运，家里老人上下楼很困难。",
            "电梯困人": "我母亲被困在{building}电梯里二十多分钟，救援太慢了。",
            "电梯运行异响": "电梯运行时有很大的异响，还会突然顿一下，不敢坐。",
            "电梯反复故障": "{building}电梯这个月已经坏了{days}次，修好没几天又坏。",
        },
        severity=(60, 30, 10),
        outcome=(15, 65, 5, 10, 5),
        common_area=0.7,
    ),
    "FAC-UTIL": Subject(
        {
            "小区停水未提前通知": "今天突然停水，事先没有任何通知，饭都做不了。",
            "楼栋频繁停电": "这周{building}已经停电{days}次，冰箱里的东西都坏了。",
            "自来水发黄": "早上放出来的自来水是黄色的，不敢给孩子用。",
        },
        severity=(65, 30, 5),
        outcome=(35, 45, 10, 5, 5),
        common_area=0.5,
    ),
    "FAC-ACCESS": Subject(
        {
            "单元门禁刷卡失灵": "{building}单元门禁坏了好几天，谁都能进来，很不安全。",
            "门禁对讲无法开门": "门禁对讲按了没反应，访客进不来。",
            "人脸识别门禁识别不了": "人脸识别门禁总是识别不了，每次都要等保安开门。",
        },
        common_area=0.8,
    ),
    "FAC-MAILBOX": Subject(
        {
            "未经同意更换信报箱": "没征求业主意见就把信报箱换了，新的太小，钥匙也没给。",
            "信报箱锁损坏": "我家信报箱的锁坏了，信件经常丢。",
        },
        outcome=(50, 30, 5, 10, 5),
        common_area=0.6,
    ),
    "FAC-LIGHT": Subject(
        {
            "楼道灯不亮": "{building}楼道灯坏了一个多星期，晚上回家摸黑上楼。",
            "地下车库照明不足": "地下车库照明太暗，上周有人在里面摔倒了。",
            "小区路灯损坏": "{building}旁边的路灯坏了，晚上散步看不清路。",
        },
        common_area=0.9,
    ),
    "FAC-FIRE": Subject(
        {
            "灭火器过期": "{building}楼道的灭火器已经过期一年多了。",
            "烟感报警器误报": "烟感半夜误报，全楼都被吵醒，已经{days}次了。",
            "楼道应急灯不亮": "停电时楼道应急灯都不亮，太危险了。",
        },
        severity=(70, 25, 5),
        common_area=0.9,
    ),
    "ENV-CLEAN": Subject(
        {
            "楼道长期无人打扫": "{building}楼道{days}天没人打扫了，到处是灰和垃圾。",
            "电梯轿厢有宠物粪便": "电梯里有宠物粪便，打电话半天保洁都不来处理。",
        },
        outcome=(10, 60, 2, 20, 8),
        common_area=0.9,
    ),
    "ENV-REFUSE": Subject(
        {
            "垃圾桶满溢未及时清运": "垃圾桶已经满出来了还没人清运，天气热臭味很大。",
            "装修垃圾堆放楼道": "楼道里堆了好几天装修垃圾，影响通行。",
        },
        common_area=0.9,
    ),
    "ENV-GREEN": Subject(
        {
            "树木遮挡采光": "楼下的树长得太高，把我家窗户全挡住了，白天要开灯。",
            "修剪树木砸坏车辆": "修剪树枝时树枝掉下来，把我停在路边的车砸了。",
            "草坪长期不修剪": "{building}旁边的草坪很久没修剪，杂草比人还高。",
        },
        outcome=(10, 60, 20, 5, 5),
        common_area=0.6,
    ),
    "ENV-PEST": Subject(
        {
            "地下室老鼠多": "地下室老鼠很多，已经咬坏了我存放的东西。",
            "楼道蟑螂多": "小区很久没有消杀了，楼道里蟑螂到处跑。",
        },
        common_area=0.8,
    ),
    "SEC-GATE": Subject(
        {
            "外来人员随意进出": "门岗根本不登记，外来人员随意进出，最近丢了好几辆电动车。",
            "访客进门难": "朋友来访，门岗既不让登记也不让进。",
        },
        outcome=(30, 40, 5, 15, 10),
        common_area=1.0,
    ),
    "SEC-PARK": Subject(
        {
            "车位被他人占用": "我买的产权车位连续{days}天被别人占了，找保安也不管。",
            "车辆乱停挡住出口": "有车停在车库出口，我的车开不出去，上班迟到了。",
        },
        outcome=(20, 50, 15, 5, 10),
    ),
    "SEC-LANE": Subject(
        {
            "消防通道被车辆堵塞": "{building}门口的消防通道天天停满车，消防车根本进不来。",
            "电动车在楼道充电": "有人把电动车推进楼道充电，太危险了。",
        },
        severity=(75, 20, 5),
        common_area=1.0,
    ),
    "SEC-RENO": Subject(
        {
            "邻居装修超时施工": "楼上装修中午和晚上都在电钻，规定时间根本不遵守。",
            "装修疑似拆改承重墙": "隔壁装修好像在砸承重墙，担心影响整栋楼的安全。",
        },
        severity=(80, 18, 2),
    ),
    "SEC-NOISE": Subject(
        {
            "楼上夜间噪音": "楼上每天十二点后还在拖椅子，已经{days}天没睡好了。",
            "广场舞音响太吵": "广场舞音响开得太大，晚上九点后还在放。",
            "空调外机噪音": "邻居空调外机正对我家卧室，晚上嗡嗡响。",
        },
        outcome=(20, 50, 5, 10, 15),
    ),
    "SVC-ATTITUDE": Subject(
        {
            "前台工作人员态度恶劣": "去前台问事情，工作人员爱答不理，还说不归他们管。",
            "维修师傅服务态度差": "维修师傅上门一直抱怨，干完活也不收拾。",
        },
        outcome=(5, 5, 5, 80, 5),
    ),
    "SVC-TIMELY": Subject(
        {
            "报修多日无人上门": "{days}天前报修的，到现在都没人上门，也没人打电话。",
            "投诉后一直没有回复": "上次投诉说好第二天回复，结果一周都没消息。",
        },
        outcome=(15, 50, 5, 25, 5),
    ),
    "SVC-BUCK": Subject(
        {"各部门互相推诿": "客服说是工程部的事，工程部又说找开发商，来回踢皮球。"},
        outcome=(20, 40, 5, 30, 5),
    ),
    "FEE-PROP": Subject(
        {
            "物业费上涨未公示": "物业费突然上涨，事先没有公示，也没开业主大会。",
            "空置房物业费减免": "我家房子一直空置，想问能不能减免部分物业费。",
            "物业费发票开具问题": "交了物业费{days}天了，发票一直开不出来。",
        },
        outcome=(70, 5, 15, 5, 5),
    ),
    "FEE-PARKFEE": Subject(
        {
            "月卡到期被收临时停车费": "停车月卡到期没有提醒，直接按临时车收了几百块。",
            "访客停车收费过高": "访客停车一小时收十块，比外面商场还贵。",
        },
        outcome=(60, 5, 25, 5, 5),
    ),
    "FEE-SHARED": Subject(
        {"公摊电费偏高": "这个季度公摊电费比去年高了一倍，要求公开明细。"},
        outcome=(80, 2, 10, 3, 5),
    ),
    "FEE-PAIDREP": Subject(
        {"有偿维修收费过高": "换一个水龙头收了两百多，事先也没说要收费。"},
        outcome=(50, 5, 35, 5, 5),
    ),
    "NBR-DISPUTE": Subject(
        {
            "邻居在走廊堆放杂物": "对门把鞋柜和纸箱都堆在走廊里，进出都不方便。",
            "楼上高空抛物": "楼上经常往下扔烟头和果皮，差点砸到我家孩子。",
            "邻居养狗扰民": "隔壁的狗白天一直叫，家里老人午觉都睡不了。",
        },
        outcome=(20, 50, 5, 10, 15),
    ),
    "NBR-OTHER": Subject(
        {
            "快递柜不够用": "小区快递柜总是满的，快递只能堆在门口。",
            "希望增加充电桩": "电动车充电桩太少，大家只好把车推进楼道充电。",
        },
        outcome=(40, 20, 5, 5, 30),
        common_area=0.8,
    ),
}

OPENERS = ("", "您好，", "我是{unit}的业主，", "我住在{unit}，", "喂，物业吗？")

DEMANDS = {
    "explanation": ("希望物业给个解释。", "请物业说明情况。"),
    "repair": ("希望尽快派人处理。", "请尽快安排维修。", "希望今天就有人来看。"),
    "compensation": ("我的损失要求赔偿。", "要求物业承担损失。"),
    "apology": ("要求当事人道歉。", "希望物业正式道歉。"),
    "other": ("希望物业重视这个问题。", "请物业想想办法。"),
}

# A few complaints from residents who prefer English, as the front desk took them down.
ENGLISH: dict[str, tuple[str, str]] = {
    "QUAL": (
        "Water leaking through the ceiling",
        "Water is dripping from the bathroom ceiling "
        "of {unit} since the last rain. Please send someone.",
    ),
    "FAC": (
        "Lift out of service again",
        "The lift in {building} has stopped again; it is the third time this month.",
    ),
    "ENV": (
        "Rubbish not collected",
        "The bins next to {building} have not been emptied for days and smell badly.",
    ),
    "SEC": (
        "Noise from upstairs late at night",
        "There is loud noise from the flat above after midnight almost every day.",
    ),
    "SVC": (
        "Nobody called me back",
        "I reported a problem {days} days ago and nobody has called me back.",
    ),
    "FEE": (
        "Question about the property fee",
        "The property fee went up and I did not see any notice. Please explain.",
    ),
    "NBR": ("Neighbour's dog barking all day", "The dog next door barks all day long."),
}
