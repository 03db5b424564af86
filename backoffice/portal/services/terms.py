"""The portal's answer to the charging core's question "what applies to this session?"
(`stations.questions.transaction_terms`): the limits its driver set."""

from __future__ import annotations

from backoffice.portal.models import DriverSession
from stations import questions

from . import limits, session_watch


@questions.answers_transaction_terms
def terms_for(context: questions.TransactionContext) -> questions.TransactionTerms | None:
    """The driver's limits to tell the station in the answer to a session's message (no query
    for a session no driver's token started); linked first when the start's own link has not
    run yet (it runs in a task)."""
    if context.driver_id is None:
        return None
    if not DriverSession.objects.filter(transaction_id=context.transaction_pk).exists():
        session_watch.transaction_started(transaction_pk=context.transaction_pk)
    wanted = limits.limits_to_send(transaction_pk=context.transaction_pk)
    return None if wanted is None else questions.TransactionTerms(limits=wanted)
