"""Background work (django-tasks). Enqueued with transaction.on_commit by services.

Each task is one call: emails are built in subsidy.notifications, the rest in services.
Queued rows name a task by its dotted path, so names and signatures stay put.
"""

from __future__ import annotations

from django_tasks import task

from subsidy import notifications


@task()
def send_applicant_email(application_id: int, template: str, language: str) -> None:
    notifications.applicant_email_send(application_id, template, language)


@task()
def send_applicant_change_email(change_id: int, template: str, language: str) -> None:
    notifications.applicant_change_email_send(change_id, template, language)


@task()
def lapse_overdue_applications() -> int:
    from subsidy.services.reviews import applications_lapse_overdue

    return applications_lapse_overdue()


@task()
def send_review_sla_digest() -> int:
    return notifications.review_sla_digest_send()


@task()
def notify_reviewer_of_resubmission(application_id: int) -> None:
    notifications.resubmission_email_send(application_id)


@task()
def issue_letter(letter_id: int) -> str:
    """Render and store a letter. Safe to run twice: the second run finds it issued."""
    from subsidy.services.letters import letter_issue, letter_record_failure

    try:
        return letter_issue(letter_id=letter_id).status
    except Exception as error:
        letter_record_failure(letter_id=letter_id, error=f"{type(error).__name__}: {error}")
        raise


@task()
def requeue_stalled_letters() -> int:
    from subsidy.services.letters import letters_requeue_stalled

    return letters_requeue_stalled()


@task()
def requeue_abandoned_tasks() -> int:
    from subsidy.task_recovery import tasks_requeue_abandoned

    return tasks_requeue_abandoned()


@task()
def prune_idempotency_keys() -> int:
    from subsidy.services.idempotency import idempotency_keys_prune

    return idempotency_keys_prune()
