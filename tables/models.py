from __future__ import annotations

import secrets
import uuid
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import IntegrityError, models, transaction
from django.utils import timezone


def new_qr_token() -> str:
    """192 random bits, URL-safe: a QR code never reveals or guesses a table number."""
    return secrets.token_urlsafe(24)


class Location(models.Model):
    name = models.CharField(max_length=120)
    slug = models.SlugField(unique=True)
    currency = models.CharField(max_length=3, default="GBP", help_text="ISO 4217 code, e.g. GBP")
    table_service_mode_id = models.CharField(
        "table service mode id",
        max_length=64,
        help_text="The POS's ServiceModeID for table service at this location.",
    )
    use_pos_prices = models.BooleanField(
        "POS sets the prices",
        default=True,
        help_text="On: the POS prices each order from its own price schedule "
        "(UseProviderPrices false). Off: the POS is asked to charge the menu prices shown here.",
    )
    is_training = models.BooleanField(
        "training mode", default=False, help_text="Orders are sent to the POS as training orders."
    )
    max_batch_value = models.DecimalField(
        "most one order may be worth",
        max_digits=9,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text="A diner's order from a phone worth more than this is refused with a "
        "message (menu prices). Blank: no cap.",
    )
    language = models.CharField(
        max_length=8,
        choices=settings.LANGUAGES,
        default="en",
        help_text="The language this location's menu is written in: diners whose language "
        "a product has no translation for read it in this one.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Table(models.Model):
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="tables")
    name = models.CharField(
        max_length=60, help_text='What diners and staff call it, e.g. "Table 10"'
    )
    pos_table_id = models.CharField(
        "POS table id", max_length=64, help_text="The POS's identifier for this table."
    )
    qr_token = models.CharField(max_length=64, unique=True, default=new_qr_token, editable=False)
    token_rotated_at = models.DateTimeField(default=timezone.now, editable=False)
    token_rotated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["location", "position", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["location", "pos_table_id"], name="one_table_per_pos_table_id"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.location})"

    def rotate_token(self, by=None) -> None:
        """A new code; every diner who joined through the old one loses access (a phone
        scanning the new code joins the same open session again)."""
        from tables.signals import table_code_rotated

        self.qr_token = new_qr_token()
        self.token_rotated_at = timezone.now()
        self.token_rotated_by = by
        self.save(update_fields=["qr_token", "token_rotated_at", "token_rotated_by"])
        transaction.on_commit(lambda: table_code_rotated.send(sender=Table, table=self))

    def open_session(self) -> TableSession:
        """The table's open session, opening one if there is none (safe against two scans)."""
        for _ in range(3):
            session = self.sessions.filter(closed_at__isnull=True).first()
            if session:
                return session
            try:
                with transaction.atomic():
                    return self.sessions.create()
            except IntegrityError:
                continue  # another phone opened it a moment ago: join that one
        raise RuntimeError("could not open a table session")


class TableSession(models.Model):
    """One sitting at a table: from the first scan until the POS closes the bill."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    table = models.ForeignKey(Table, on_delete=models.CASCADE, related_name="sessions")
    opened_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-opened_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["table"],
                condition=models.Q(closed_at__isnull=True),
                name="one_open_session_per_table",
            )
        ]

    def __str__(self) -> str:
        return f"{self.table.name} from {self.opened_at:%Y-%m-%d %H:%M}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    def join(self, phone_id: str, token: str | None = None) -> tuple[Diner, bool]:
        """The phone's diner at this session, and whether it has just joined; `token` is
        the code it scanned, the table's current one unless given (a diner who joined
        through an older code gets its access back)."""
        token = self.table.qr_token if token is None else token
        diner, created = Diner.objects.get_or_create(
            session=self, phone_id=phone_id, defaults={"joined_token": token}
        )
        if not created and diner.joined_token != token:
            diner.joined_token = token
            diner.save(update_fields=["joined_token"])
        return diner, created

    def earlier_visit_of(self, phone_id: str, within: timedelta) -> Diner | None:
        """The phone's diner at this table's last visit, if that ended within `within`."""
        return (
            Diner.objects.filter(
                session__table_id=self.table_id,
                session__closed_at__gte=timezone.now() - within,
                phone_id=phone_id,
            )
            .exclude(session=self)
            .order_by("-session__closed_at")
            .first()
        )

    def close(self) -> bool:
        """Close the session; False if it was already closed."""
        return bool(
            TableSession.objects.filter(pk=self.pk, closed_at__isnull=True).update(
                closed_at=timezone.now()
            )
        )


class Diner(models.Model):
    """One phone at one table session, remembered by a signed cookie."""

    session = models.ForeignKey(TableSession, on_delete=models.CASCADE, related_name="diners")
    phone_id = models.CharField(max_length=64)
    joined_at = models.DateTimeField(default=timezone.now)
    # The table code this phone scanned to join: once the code is rotated it has no access
    # until it scans the new one.
    joined_token = models.CharField(max_length=64, blank=True, editable=False)
    order_note = models.CharField(max_length=500, blank=True)
    # What the others at the table see beside this diner's lines ("Ordered by Sam").
    name = models.CharField(max_length=40, blank=True)
    # Asked once: set when the diner gives a name or skips the question.
    name_asked = models.BooleanField(default=False)

    class Meta:
        ordering = ["joined_at"]
        constraints = [
            models.UniqueConstraint(fields=["session", "phone_id"], name="one_diner_per_phone")
        ]

    def __str__(self) -> str:
        return f"Diner {self.pk} at {self.session}"

    def holds_current_code(self) -> bool:
        """Whether it joined through the table's code as it is now (not a rotated one)."""
        return secrets.compare_digest(self.joined_token, self.session.table.qr_token)


class LocationMembership(models.Model):
    """Which locations a manager or member of staff works at. What they may do there comes
    from their groups (Managers, Staff); they see nothing of any other location."""

    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="location_memberships"
    )

    class Meta:
        verbose_name = "person working here"
        verbose_name_plural = "people working here"
        constraints = [
            models.UniqueConstraint(fields=["location", "user"], name="one_membership_per_user")
        ]
        permissions = [
            ("change_availability", "Can mark products and modifiers available or sold out"),
        ]

    def __str__(self) -> str:
        return f"{self.user} at {self.location}"
