"""The built-in wording of every event type in zh-CN and en, on every channel, and sample values.

Each event type has a title and a short text per language; the channels are built from them
the same way: in-app is the title and the text, email adds a greeting and a closing, SMS is the
text after the district's name, a call introduces itself first. Where one channel needs other
words (a call about an alert), `_SPOKEN` has them. A unit test checks every built-in with
domain.templates.validate, so none can fail when sending."""

# Chinese text is written with full-width punctuation, as Chinese readers expect.
# ruff: noqa: RUF001

from __future__ import annotations

from dataclasses import dataclass

from civicgrid_notifications.domain.catalog import COMMON, EVENTS
from civicgrid_notifications.domain.channels import Channel


@dataclass(frozen=True, slots=True)
class TemplateSource:
    subject: str
    body: str


_T = "{{ ticket_number }}"
_TC = "工单{{ ticket_number }}（{{ ticket_category }}）"
_CASE = "Case {{ ticket_number }} ({{ ticket_category }})"
_NOTE_ZH = "{% if note %}说明：{{ note }}{% endif %}"
_NOTE_EN = "{% if note %} Note: {{ note }}{% endif %}"
_WHERE_ZH = "{% if address %}（{{ address }}）{% endif %}"
_WHERE_EN = "{% if address %} at {{ address }}{% endif %}"

# event type -> locale -> (title, text)
_WORDING: dict[str, dict[str, tuple[str, str]]] = {
    "ticket.created": {
        "zh-CN": (
            "您反映的问题已受理",
            f"您反映的{{{{ ticket_category }}}}问题{_WHERE_ZH}已受理，编号{_T}，我们将尽快处理。",
        ),
        "en": (
            f"We received your report {_T}",
            f"Your report about {{{{ ticket_category }}}}{_WHERE_EN} was received as {_T}. "
            "We will deal with it promptly.",
        ),
    },
    "ticket.assigned": {
        "zh-CN": (f"新工单待处理：{_T}", f"{_TC}已派发给您，请及时处理。"),
        "en": (f"New case for you: {_T}", f"{_CASE} has been assigned to you. Please take it up."),
    },
    "ticket.status_changed": {
        "zh-CN": (
            "您反映的问题有新进展",
            f"您反映的问题（编号{_T}）状态已更新为：{{{{ status }}}}。{_NOTE_ZH}",
        ),
        "en": (
            f"Update on your report {_T}",
            f"Your report {_T} is now: {{{{ status }}}}.{_NOTE_EN}",
        ),
    },
    "ticket.transferred": {
        "zh-CN": (f"工单已转交：{_T}", f"{_TC}已转交给您处理。{_NOTE_ZH}"),
        "en": (f"Case transferred to you: {_T}", f"{_CASE} has been transferred to you.{_NOTE_EN}"),
    },
    "ticket.escalated": {
        "zh-CN": (
            f"工单已升级：{_T}",
            f"{_TC}已升级至{{{{ level }}}}层级，请尽快处理。"
            "{% if reason %}原因：{{ reason }}{% endif %}",
        ),
        "en": (
            f"Case escalated: {_T}",
            f"{_CASE} has been escalated to the {{{{ level }}}} level."
            "{% if reason %} Reason: {{ reason }}{% endif %}",
        ),
    },
    "ticket.sla_warning": {
        "zh-CN": (
            f"工单即将到期：{_T}",
            f"{_TC}将于{{{{ due_at | datetime }}}}到期，请抓紧办理。",
        ),
        "en": (
            f"Case due soon: {_T}",
            f"{_CASE} is due by {{{{ due_at | datetime }}}}. Please act before the deadline.",
        ),
    },
    "ticket.sla_breached": {
        "zh-CN": (
            f"工单已超时：{_T}",
            f"{_TC}已于{{{{ due_at | datetime }}}}超过办理时限，请立即处理。",
        ),
        "en": (
            f"Case overdue: {_T}",
            f"{_CASE} passed its deadline at {{{{ due_at | datetime }}}}. Please act now.",
        ),
    },
    "ticket.commented": {
        "zh-CN": ("您反映的问题有新回复", f"您反映的问题（编号{_T}）有新的回复，请登录查看。"),
        "en": (
            f"New comment on your report {_T}",
            f"There is a new comment on your report {_T}. Sign in to read it.",
        ),
    },
    "ticket.rated": {
        "zh-CN": (
            f"工单已获评价：{_T}",
            f"居民对工单{_T}的办理结果评价为：{{{{ rating }}}}。"
            "{% if comment %}留言：{{ comment }}{% endif %}",
        ),
        "en": (
            f"Case {_T} was rated",
            f"The resident rated case {_T}: {{{{ rating }}}}."
            "{% if comment %} Comment: {{ comment }}{% endif %}",
        ),
    },
    "meeting.scheduled": {
        "zh-CN": (
            "联席会议通知",
            "联席会议定于{{ held_at | datetime }}召开"
            "{% if tickets %}，议题工单：{{ tickets }}{% endif %}。请准时参加。",
        ),
        "en": (
            "Joint meeting scheduled",
            "A joint meeting is scheduled for {{ held_at | datetime }}"
            "{% if tickets %} on cases {{ tickets }}{% endif %}. Please attend.",
        ),
    },
    "commitment.made": {
        "zh-CN": (
            f"承诺事项：工单{_T}",
            f"{{{{ responsible }}}}承诺于{{{{ due_at | datetime }}}}前完成工单{_T}的事项："
            "{{ action }}。",
        ),
        "en": (
            f"Commitment on case {_T}",
            f"{{{{ responsible }}}} committed to {{{{ action }}}} on case {_T} "
            "by {{ due_at | datetime }}.",
        ),
    },
    "commitment.overdue": {
        "zh-CN": (
            f"承诺事项已逾期：工单{_T}",
            f"{{{{ responsible }}}}承诺的事项“{{{{ action }}}}”（工单{_T}）已于"
            "{{ due_at | datetime }}逾期，请督促落实。",
        ),
        "en": (
            f"Commitment overdue on case {_T}",
            f"The commitment of {{{{ responsible }}}} to {{{{ action }}}} on case {_T} was due "
            "{{ due_at | datetime }} and is overdue.",
        ),
    },
    "offer.made": {
        "zh-CN": (
            "志愿服务邀请",
            "有一项志愿服务任务邀请您参加，请在{{ expires_at | datetime }}前登录回复。",
        ),
        "en": (
            "A volunteering task for you",
            "You are invited to a volunteering task. Please reply by {{ expires_at | datetime }}.",
        ),
    },
    "task.reminder": {
        "zh-CN": (
            "志愿服务提醒",
            "您报名的志愿服务将于{{ starts_at | datetime }}开始，请准时到达。",
        ),
        "en": (
            "Volunteering reminder",
            "Your volunteering task starts at {{ starts_at | datetime }}. Please be on time.",
        ),
    },
    "rating.published": {
        "zh-CN": (
            "{{ month }}星级评定结果",
            "您{{ month }}的星级评定结果为{{ stars }}星，感谢您的奉献！",
        ),
        "en": (
            "Your star rating for {{ month }}",
            "Your star rating for {{ month }} is {{ stars }} stars. Thank you for your service.",
        ),
    },
    "loan.created": {
        "zh-CN": ("工具借用成功", "您已成功借用工具，请于{{ due_at | datetime }}前归还。"),
        "en": (
            "Tool loan confirmed",
            "Your tool loan is confirmed. Please return it by {{ due_at | datetime }}.",
        ),
    },
    "loan.due_soon": {
        "zh-CN": ("借用工具即将到期", "您借用的工具将于{{ due_at | datetime }}到期，请按时归还。"),
        "en": (
            "Borrowed tool due soon",
            "Your borrowed tool is due back by {{ due_at | datetime }}. Please return it on time.",
        ),
    },
    "loan.overdue": {
        "zh-CN": (
            "借用工具已逾期",
            "您借用的工具已于{{ due_at | datetime }}到期，请尽快归还，方便其他居民使用。",
        ),
        "en": (
            "Borrowed tool overdue",
            "Your borrowed tool was due back at {{ due_at | datetime }}. "
            "Please return it soon so that others can use it.",
        ),
    },
    "hold.ready": {
        "zh-CN": (
            "预约的工具可以领取了",
            "您预约的工具已备好，请于{{ kept_until | datetime }}前到工具借用站领取。",
        ),
        "en": (
            "Your reserved tool is ready",
            "Your reserved tool is ready. Please collect it at the lending station by "
            "{{ kept_until | datetime }}.",
        ),
    },
    "person.registered": {
        "zh-CN": (
            "欢迎加入{{ district | default('社区服务平台') }}",
            "欢迎您注册{{ district }}社区服务平台！您可以在这里反映问题、参加志愿服务、借用工具。",
        ),
        "en": (
            "Welcome to {{ district | default('CivicGrid') }}",
            "Welcome to the {{ district | default('CivicGrid') }} community platform. Here you "
            "can report problems, volunteer and borrow tools.",
        ),
    },
    "role.granted": {
        "zh-CN": ("您有了新的角色", "您已被授予“{{ role }}”角色，请登录查看相应的功能。"),
        "en": (
            "You have a new role",
            "You have been given the role {{ role }}. Sign in to see what you can do now.",
        ),
    },
    "alert.raised": {
        "zh-CN": (
            "紧急求助：{{ person_name }}",
            f"紧急求助！{{{{ person_name }}}}{_WHERE_ZH}按下了一键呼叫按钮，请立即"
            "{% if phone %}拨打{{ phone }}{% else %}联系{% endif %}或前往查看，并确认响应。",
        ),
        "en": (
            "EMERGENCY: {{ person_name }}",
            f"EMERGENCY: {{{{ person_name }}}}{_WHERE_EN} pressed the emergency button. Please "
            "{% if phone %}call {{ phone }}{% else %}get in touch{% endif %} or go there now, "
            "and confirm that you are responding.",
        ),
    },
    "alert.reminder": {
        "zh-CN": (
            "紧急求助仍无人响应：{{ person_name }}",
            f"提醒：{{{{ person_name }}}}{_WHERE_ZH}的紧急求助仍无人确认响应，请立即处理。",
        ),
        "en": (
            "Still no response: {{ person_name }}",
            f"REMINDER: nobody has confirmed a response yet to the emergency call of "
            f"{{{{ person_name }}}}{_WHERE_EN}. Please respond now.",
        ),
    },
    "device.offline": {
        "zh-CN": (
            "一键呼叫设备离线：{{ person_name }}",
            "{{ person_name }}的一键呼叫设备（编号{{ device_id }}）自"
            "{{ last_seen_at | datetime }}起没有信号，请尽快联系老人并检查设备。",
        ),
        "en": (
            "Emergency button offline: {{ person_name }}",
            "The emergency button of {{ person_name }} (device {{ device_id }}) has not been "
            "heard from since {{ last_seen_at | datetime }}. Please check on them and the device.",
        ),
    },
    "digest.daily": {
        "zh-CN": (
            "{{ day }}工单日报",
            "{{ day }}工单日报：已超时{{ breached_count }}件，即将到期{{ due_count }}件。\n"
            "已超时：\n{{ breached }}\n即将到期：\n{{ due }}",
        ),
        "en": (
            "Daily case summary for {{ day }}",
            "Cases on {{ day }}: {{ breached_count }} overdue, {{ due_count }} due soon.\n"
            "Overdue:\n{{ breached }}\nDue soon:\n{{ due }}",
        ),
    },
}

# Calls about an alert say where to go, slowly, twice: the listener cannot scroll back.
_SPOKEN: dict[str, dict[str, str]] = {
    "alert.raised": {
        "zh-CN": "紧急求助。{{ person_name }}按下了一键呼叫按钮。"
        "{% if address %}地址：{{ address }}。{% endif %}请立即联系或前往查看。"
        "再重复一遍：{{ person_name }}需要帮助，请立即前往。",
        "en": "Emergency. {{ person_name }} pressed the emergency button."
        "{% if address %} The address is {{ address }}.{% endif %} Please get in touch or go "
        "there now. Once again: {{ person_name }} needs help, please go there now.",
    },
}

_GREETING = {
    "zh-CN": "{{ recipient_name }}您好：\n\n",
    "en": "Hello{% if recipient_name %} {{ recipient_name }}{% endif %},\n\n",
}
_CLOSING = {
    "zh-CN": "\n\n——{{ district | default('社区服务平台') }}\n此邮件由系统自动发送，请勿直接回复。",
    "en": "\n\n{{ district | default('CivicGrid') }}\n"
    "This message was sent automatically; please do not reply to it.",
}
_SMS_SIGNATURE = {"zh-CN": "【{{ district | default('社区服务') }}】", "en": ""}
_CALL_INTRO = {
    "zh-CN": "您好，这里是{{ district | default('社区服务平台') }}。",
    "en": "Hello, this is {{ district | default('your community service') }}. ",
}


def built_in(event_type: str, channel: Channel, locale: str) -> TemplateSource | None:
    """The built-in template for the key; None for an event type or locale it does not know."""
    wording = _WORDING.get(event_type, {}).get(locale)
    if wording is None:
        return None
    title, text = wording
    if channel is Channel.INAPP:
        return TemplateSource(title, text)
    if channel is Channel.EMAIL:
        return TemplateSource(title, _GREETING[locale] + text + _CLOSING[locale])
    if channel is Channel.SMS:
        return TemplateSource("", _SMS_SIGNATURE[locale] + text)
    spoken = _SPOKEN.get(event_type, {}).get(locale)
    return TemplateSource("", spoken or _CALL_INTRO[locale] + text)


# Values a preview (and the check of a template) shows, per language; other names get a
# placeholder of their own name.
_SAMPLES: dict[str, dict[str, str]] = {
    "zh-CN": {
        "recipient_name": "王芳",
        "district": "东城区",
        "ticket_category": "路灯",
        "description": "路灯不亮",
        "address": "幸福路12号",
        "status": "处理中",
        "note": "已安排维修",
        "level": "社区",
        "reason": "超过办理时限",
        "clock": "处理时限",
        "rating": "满意",
        "comment": "处理及时",
        "responsible": "供电公司",
        "action": "更换路灯",
        "role": "网格员",
        "person_name": "张大爷",
    },
    "en": {
        "recipient_name": "Wang Fang",
        "district": "Dongcheng",
        "ticket_category": "street lights",
        "description": "The street light is out",
        "address": "12 Xingfu Road",
        "status": "in progress",
        "note": "A repair is booked",
        "level": "community",
        "reason": "past its deadline",
        "clock": "resolution",
        "rating": "satisfied",
        "comment": "Quick work",
        "responsible": "the power company",
        "action": "replace the street light",
        "role": "grid leader",
        "person_name": "Mr Zhang",
    },
}
_SAME_IN_EVERY_LANGUAGE = {
    "ticket_number": "2026-000123",
    "ticket_id": "9b2f8f3e-3c55-4c8e-9d0a-6f1c2b7a4e10",
    "task_id": "5d0c1a7e-8f43-4b1e-a6a2-3e9d7c2b1f00",
    "loan_id": "0e4f6a2b-1c3d-4e5f-8a9b-7c6d5e4f3a21",
    "hold_id": "7a6b5c4d-3e2f-4a1b-9c8d-0e1f2a3b4c5d",
    "alert_id": "3c2b1a09-8f7e-4d6c-b5a4-392817f6e5d4",
    "phone": "13800138000",
    "device_id": "BTN-0042",
    "tickets": "2026-000123, 2026-000124",
    "month": "2026-11",
    "stars": "5",
    "day": "2026-11-30",
    "breached": "2026-000102 streetlight resolve breached",
    "breached_count": "3",
    "due_count": "5",
    "due": "2026-000101 streetlight resolve due",
}
_SAMPLE_MOMENT = "2026-12-01T01:30:00+00:00"


def sample_values(event_type: str, locale: str) -> dict[str, str]:
    """Plausible values for every variable of the event type (unknown types: the common ones)."""
    spec = EVENTS.get(event_type)
    names = spec.all_variables if spec is not None else COMMON
    words = _SAMPLES.get(locale, _SAMPLES["en"])
    values: dict[str, str] = {}
    for name in names:
        if name.endswith(("_at", "_until")):
            values[name] = _SAMPLE_MOMENT
        else:
            values[name] = words.get(name) or _SAME_IN_EVERY_LANGUAGE.get(name) or f"[{name}]"
    return values
