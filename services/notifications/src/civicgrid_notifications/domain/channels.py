"""Channels a message can travel on, and categories a person chooses channels for."""

from __future__ import annotations

from enum import StrEnum


class Channel(StrEnum):
    INAPP = "inapp"
    EMAIL = "email"
    SMS = "sms"
    VOICE = "voice"


class Category(StrEnum):
    """What a message is about; a person picks channels per category."""

    MY_REPORTS = "my_reports"  # a resident's own reports
    WORK = "work"  # cases assigned, transferred, escalated to an official
    SLA = "sla"  # deadlines coming (warnings), commitments due
    SLA_BREACH = "sla_breach"  # a deadline passed on a case the official owns
    VOLUNTEERING = "volunteering"  # offers, reminders, hours, ratings
    LENDING = "lending"  # loans and holds at the tool-lending station
    ACCOUNT = "account"  # welcome, roles
    ALERTS = "alerts"  # the emergency-alert chain


# Ignore quiet hours and cannot be switched off.
URGENT = frozenset({Category.ALERTS, Category.SLA_BREACH})

# What a person gets until they choose otherwise.
DEFAULT_CHANNELS: dict[Category, tuple[Channel, ...]] = {
    Category.MY_REPORTS: (Channel.INAPP, Channel.SMS),
    Category.WORK: (Channel.INAPP, Channel.EMAIL),
    Category.SLA: (Channel.INAPP, Channel.EMAIL),
    Category.SLA_BREACH: (Channel.INAPP, Channel.SMS, Channel.EMAIL),
    Category.VOLUNTEERING: (Channel.INAPP, Channel.SMS),
    Category.LENDING: (Channel.INAPP, Channel.SMS),
    Category.ACCOUNT: (Channel.INAPP, Channel.EMAIL),
    Category.ALERTS: (Channel.INAPP, Channel.SMS, Channel.VOICE),
}

LOCALES = ("zh-CN", "en")
