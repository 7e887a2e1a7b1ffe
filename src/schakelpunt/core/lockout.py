"""Login lockout per account and, with a higher limit, per address (django-axes).

An account is locked after `AXES_FAILURE_LIMIT` failures from anywhere; an address after
`AXES_IP_FAILURE_LIMIT` failures over all accounts together, so that one address cannot try a
few passwords on each of many accounts. The address's limit is higher because a school or an
office logs in from one address. Both last `AXES_COOLOFF_HOURS`.
"""

from typing import Any

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import QuerySet, Sum
from django.http import HttpRequest


def _failures(attempts: QuerySet[AccessAttempt]) -> int:
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


class AccountAndAddressHandler(AxesDatabaseHandler):
    def get_failures(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
        """The failures that count, on the scale of the account's limit.

        axes compares one number with `AXES_FAILURE_LIMIT`; the address's failures are scaled
        so that they reach it exactly when they reach `AXES_IP_FAILURE_LIMIT`.
        """
        recent = AccessAttempt.objects.filter(attempt_time__gte=get_cool_off_threshold(request))
        username = get_client_username(request, credentials)
        by_account = _failures(recent.filter(username=username)) if username else 0
        by_address = _failures(recent.filter(ip_address=request.axes_ip_address))  # type: ignore[attr-defined]
        account_limit = get_failure_limit(request, credentials)
        return max(by_account, by_address * account_limit // settings.AXES_IP_FAILURE_LIMIT)

    def reset_user_attempts(
        self, request: HttpRequest, credentials: dict[str, Any] | None = None
    ) -> int:
        """A successful login clears that account's failures, not its address's.

        Otherwise logging in to one's own account would wipe the trail of trying others.
        """
        username = get_client_username(request, credentials)
        if not username:
            return 0
        count, _deleted = AccessAttempt.objects.filter(username=username).delete()
        return count
