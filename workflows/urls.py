from django.urls import path

from workflows import account_views, change_views, finance_views, letter_views, report_views, staff_views, task_views

app_name = "staff"

urlpatterns = [
    path("", staff_views.staff_home, name="home"),
    path("applications/", staff_views.application_list, name="application_list"),
    path("applications/<int:pk>/", staff_views.application_detail, name="application_detail"),
    path(
        "applications/<int:pk>/documents/<int:document_pk>/",
        staff_views.document_download,
        name="document_download",
    ),
    path(
        "applications/<int:pk>/reveal/<slug:field>/",
        staff_views.reveal_personal_data,
        name="reveal_personal_data",
    ),
    path("applications/<int:pk>/objection/", staff_views.record_objection, name="record_objection"),
    path(
        "applications/<int:pk>/documents/<int:document_pk>/view/",
        staff_views.document_view,
        name="document_view",
    ),
    path(
        "applications/<int:pk>/letters/<int:letter_pk>/",
        letter_views.letter_download,
        name="letter_download",
    ),
    path("letters/", letter_views.letter_problems, name="letter_problems"),
    path("letters/<int:letter_pk>/retry/", letter_views.letter_retry, name="letter_retry"),
    path("letters/<int:letter_pk>/correct/", letter_views.letter_correct, name="letter_correct"),
    # Finance: disbursement batches and the budget.
    path("batches/", finance_views.batch_list, name="batch_list"),
    path("batches/new/", finance_views.batch_new, name="batch_new"),
    path("batches/<int:pk>/", finance_views.batch_detail, name="batch_detail"),
    path(
        "batches/<int:pk>/lines/<int:line_pk>/reveal/",
        finance_views.batch_line_reveal,
        name="batch_line_reveal",
    ),
    path("batches/<int:pk>/export/", finance_views.batch_export, name="batch_export"),
    path("batches/<int:pk>/import/", finance_views.batch_import, name="batch_import"),
    path(
        "batches/<int:pk>/<slug:action>/",
        finance_views.batch_transition,
        name="batch_transition",
    ),
    path("budget/", finance_views.budget, name="budget"),
    # Changes of applicant identity or bank details waiting for verification.
    path("applicant-changes/", change_views.change_list, name="applicant_changes"),
    path("applicant-changes/<int:pk>/", change_views.change_detail, name="applicant_change"),
    path("identity-claims/", change_views.identity_claim_list, name="identity_claims"),
    path("identity-claims/<int:pk>/", change_views.identity_claim_detail, name="identity_claim"),
    path("identity-claims/<int:pk>/evidence/", change_views.identity_claim_evidence, name="identity_claim_evidence"),
    # Reports for scheme administrators and auditors.
    path("reports/", report_views.dashboard, name="reports"),
    path("reports/<slug:key>.<slug:file_format>", report_views.export, name="report_export"),
    # ApplicationFlow: inbox, queue, task pages and the flow's chart.
    path("accounts/", account_views.staff_accounts, name="accounts"),
    path("accounts/<int:user_pk>/two-factor/reset/", account_views.two_factor_reset, name="two_factor_reset"),
    path("accounts/<int:user_pk>/hand-over/", account_views.hand_over, name="hand_over"),
    path("inbox/", task_views.inbox, name="inbox"),
    path("queue/", task_views.queue, name="queue"),
    path("tasks/<int:task_pk>/", task_views.task_page, name="task"),
    path("tasks/<int:task_pk>/assign/", task_views.task_assign, name="task_assign"),
    path("tasks/<int:task_pk>/unassign/", task_views.task_unassign, name="task_unassign"),
    path("tasks/<int:task_pk>/reassign/", task_views.task_reassign, name="task_reassign"),
    path("flow/", task_views.flow_chart, name="flow_chart"),
    path("flow/chart.svg", task_views.flow_chart_svg, name="flow_chart_svg"),
]
