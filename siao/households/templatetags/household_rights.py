"""`{% household_rights household actor as rights %}`: the "Protection des données" block of the
household file (its rights requests and the links each role may follow), in one query."""

from django import template

from siao.audit.reports import can_read_access_reports, report_departments
from siao.households import rights

register = template.Library()


@register.simple_tag
def household_rights(household, actor) -> dict:
    departments = report_departments(actor)
    return {
        "requests": list(household.rights_requests.select_related("person").order_by("-received_on", "-pk")),
        "may_record": rights.can_record_rights_request(actor),
        "holds_file": rights.holds_file(actor, household),
        "may_view_register": rights.can_view_register(actor),
        "may_read_report": can_read_access_reports(actor)
        and (departments is None or household.department_id in departments),
    }
