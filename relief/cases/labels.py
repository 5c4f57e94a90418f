"""What the case pages call the stages, property kinds, measures and re-check results."""

from flask_babel import lazy_gettext

from relief.cases.models import MeasureKind, PropertyKind, RecheckResult, Stage

STAGE_LABELS = {
    Stage.FILED: lazy_gettext("立案"),
    Stage.INQUIRY: lazy_gettext("网络查控"),
    Stage.QUICK: lazy_gettext("快执"),
    Stage.ORDINARY: lazy_gettext("普执"),
    Stage.DISPOSAL: lazy_gettext("评估拍卖/强制处置"),
    Stage.TERMINATED_ROUND: lazy_gettext("终本（五年内定期复查）"),
    Stage.CLOSED: lazy_gettext("已结案"),
}

PROPERTY_LABELS = {
    PropertyKind.DEPOSITS: lazy_gettext("存款"),
    PropertyKind.VEHICLES: lazy_gettext("车辆"),
    PropertyKind.REAL_ESTATE: lazy_gettext("不动产"),
    PropertyKind.SECURITIES: lazy_gettext("证券"),
    PropertyKind.OTHER: lazy_gettext("其他财产"),
}

MEASURE_LABELS = {
    MeasureKind.REPORT_ORDER: lazy_gettext("执行通知及报告财产令已送达"),
    MeasureKind.CONSUMPTION_RESTRICTION: lazy_gettext("限制消费令"),
    MeasureKind.DISHONEST_LIST: lazy_gettext("纳入失信被执行人名单"),
    MeasureKind.ONLINE_INQUIRY: lazy_gettext("网络查控"),
    MeasureKind.ONSITE_INQUIRY: lazy_gettext("实地调查"),
    MeasureKind.LEADS_CHECKED: lazy_gettext("核查申请执行人提供的财产线索"),
    MeasureKind.SEARCH: lazy_gettext("搜查"),
    MeasureKind.AUDIT: lazy_gettext("审计"),
    MeasureKind.BOUNTY: lazy_gettext("公告悬赏"),
    MeasureKind.SANCTION: lazy_gettext("罚款、拘留等强制措施"),
}

RECHECK_LABELS = {
    RecheckResult.PENDING: lazy_gettext("待复查"),
    RecheckResult.NOTHING: lazy_gettext("未发现可供执行的财产"),
    RecheckResult.FOUND: lazy_gettext("发现财产，建议恢复执行"),
    RecheckResult.CANCELLED: lazy_gettext("已恢复执行，不再复查"),
}
