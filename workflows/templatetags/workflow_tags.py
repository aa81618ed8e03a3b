"""Labels for viewflow's task states in the project's own words and catalogue
(viewflow's own Chinese catalogue lacks them), and the rows of the inbox and queue."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from html import escape as escape_text
from typing import Any

from django import template
from django.template.defaulttags import CsrfTokenNode
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.base import Node
from viewflow.workflow.status import STATUS

from subsidy.templatetags.subsidy_tags import city_label, status_label
from workflows.flows import ApplicationFlow

register = template.Library()

TASK_STATUS_LABELS = {
    STATUS.NEW: _("In the queue"),
    STATUS.ASSIGNED: _("Taken"),
    STATUS.STARTED: _("In progress"),
    STATUS.DONE: _("Done"),
    STATUS.CANCELED: _("Cancelled"),
    STATUS.ERROR: _("Failed"),
}


@register.filter
def task_status(value: str) -> str:
    return str(TASK_STATUS_LABELS.get(value, value))


@register.filter
def history_comment(entry: Any) -> str:
    """A history row's comment, headed by the task it concerns (stored by the flow node's
    name, so the title is in the reader's language, not the actor's)."""
    node = getattr(ApplicationFlow, str(entry.changes.get("task", "")), None) if entry.changes else None
    title = str(node.task_title) if isinstance(node, Node) else ""
    return f"{title}: {entry.comment}" if title and entry.comment else title or entry.comment


# Larger than any key, so it never occurs in the URL prefix it is cut out of.
_PK_MARK = 9_223_372_036_854_775_807


def _url_of_pk(name: str) -> Callable[[Any], str]:
    """reverse() once for a URL whose last argument is a pk, then only the pk changes
    (reverse() costs ~20 µs a call, twice a row). The URL comes escaped for an attribute."""
    head, tail = (escape_text(part) for part in reverse(name, args=[_PK_MARK]).rsplit(str(_PK_MARK), 1))
    return lambda pk: f"{head}{int(pk)}{tail}"


_ROW = (
    '<tr>\n    <td><a href="{case_url}">{reference}</a></td>\n'
    "    <td>{applicant}</td><td>{city}</td><td>{scheme}</td><td>{round}</td>\n"
    '    <td><span class="status status-{status}">{status_label}</span></td>\n    <td>{submitted}</td>\n'
    '    <td>{title}</td>\n    <td>{target}</td>\n    <td class="actions-cell">\n      {actions}\n    </td>\n  </tr>'
)


@register.simple_tag(takes_context=True)
def task_table_rows(context: template.Context, rows: Iterable[Any], mode: str) -> SafeString:
    """The rows (workflows.selectors.TaskRow) of the inbox (`mode` "inbox") or the queue
    table, built in one pass: as template tags a page of 50 rows cost ~8 ms (two URLs,
    a form and a dozen lookups a row), most of the page's time. Every value is escaped
    here with the standard library's html.escape (what Django's escape() runs, without
    its checks for lazy strings, which cost more than the escaping on ~500 values)."""
    csrf = CsrfTokenNode().render(context)  # HTML already
    case_url = _url_of_pk("staff:application_detail")
    on_time = escape_text(gettext("on time"))
    overdue = '<span class="badge todo">{}</span>'.format(escape_text(gettext("overdue")))
    if mode == "queue":
        assign_url, assign = _url_of_pk("staff:task_assign"), escape_text(gettext("Assign to me"))

        def actions(task_pk: int) -> str:
            return (
                f'<form method="post" action="{assign_url(task_pk)}" class="inline">{csrf}\n'
                f'        <button type="submit">{assign}</button></form>'
            )

    else:
        open_url, unassign_url = _url_of_pk("staff:task"), _url_of_pk("staff:task_unassign")
        open_label, unassign = escape_text(gettext("Open")), escape_text(gettext("Unassign"))

        def actions(task_pk: int) -> str:
            return (
                f'<a href="{open_url(task_pk)}">{open_label}</a>\n'
                f'      <form method="post" action="{unassign_url(task_pk)}" class="inline">{csrf}\n'
                f'        <button type="submit" class="link">{unassign}</button></form>'
            )

    labels: dict[tuple[str, Any], str] = {}  # each label looked up and escaped once a page

    def label(kind: str, value: Any, lookup: Callable[[Any], str]) -> str:
        if (kind, value) not in labels:
            labels[kind, value] = escape_text(str(lookup(value)))
        return labels[kind, value]

    html = "\n".join(
        _ROW.format(
            case_url=case_url(row.application_pk),
            reference=escape_text(row.reference or ""),
            applicant=escape_text(row.applicant_name),
            city=label("city", row.city, city_label),
            scheme=label("scheme", row.scheme_name, str),
            round=escape_text(row.round_name),
            status=escape_text(row.status),
            status_label=label("status", row.status, status_label),
            submitted=date_format(timezone.localtime(row.submitted_at).date()) if row.submitted_at else "",
            title=label("title", row.node, lambda node: node.task_title),
            target=overdue if row.overdue else on_time,
            actions=actions(row.task_pk),
        )
        for row in rows
    )
    return mark_safe(html)  # noqa: S308 (every value above is escaped)
