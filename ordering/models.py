from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext

from ordering import stored_json, vocabulary
from ordering.money import money
from tables.models import Diner, Location, TableSession

PRICE = {"max_digits": 9, "decimal_places": 2, "validators": [MinValueValidator(Decimal("0"))]}


class DietaryTag(models.Model):
    code = models.SlugField(unique=True)
    name = models.CharField(max_length=40)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def label(self) -> str:
        return vocabulary.label(vocabulary.STANDARD_DIETARY_TAGS, self.code, self.name)


class Allergen(models.Model):
    code = models.SlugField(unique=True)
    name = models.CharField(max_length=40)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def label(self) -> str:
        return vocabulary.label(vocabulary.STANDARD_ALLERGENS, self.code, self.name)


class Category(models.Model):
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="categories")
    name = models.CharField(max_length=80)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["location", "position", "name"]
        verbose_name_plural = "categories"
        constraints = [
            models.UniqueConstraint(fields=["location", "name"], name="unique_category_name")
        ]

    def __str__(self) -> str:
        return self.name


class Product(models.Model):
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="products")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="products")
    plu = models.CharField("PLU", max_length=64, help_text="The POS's identifier for this product.")
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    image = models.ImageField(
        upload_to="products/", blank=True, help_text="A photo for the menu, ideally 4:3."
    )
    price = models.DecimalField(**PRICE, help_text="Price without a variant.")
    dietary_tags = models.ManyToManyField(DietaryTag, blank=True)
    allergens = models.ManyToManyField(Allergen, blank=True)
    # An empty allergen list means "none" only when the restaurant said so: a diner with an
    # allergy must be able to tell "No allergens" from "not declared".
    allergens_declared = models.BooleanField(
        default=False,
        help_text="Tick when the allergens ticked above are the full list (none ticked then "
        "reads “No allergens”); unticked, diners read “Allergens not declared”.",
    )
    is_available = models.BooleanField("available", default=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["category__position", "position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["location", "plu"], name="unique_plu_per_location")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def allergen_state(self) -> str:
        """ "contains", "none" or "undeclared": what the menu tells a diner about allergens."""
        if self.allergens.all():
            return "contains"
        return "none" if self.allergens_declared else "undeclared"


class ProductTranslation(models.Model):
    """A product's name and description in another language, for diners reading in it; a
    blank one (or none) shows the location's own."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(max_length=8, choices=settings.LANGUAGES)
    name = models.CharField(max_length=120, blank=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["product", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["product", "language"], name="one_translation_per_language"
            )
        ]

    def __str__(self) -> str:
        return f"{self.product.name} ({self.language})"


class Variant(models.Model):
    """A POS sales modifier such as PINT or HALF: the diner picks exactly one."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="variants")
    pos_identifier = models.CharField(
        "POS sales modifier id", max_length=64, help_text="SalesModifierIdentifier on the POS."
    )
    name = models.CharField(max_length=60)
    price = models.DecimalField(**PRICE)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return f"{self.product.name} {self.name}"


class ModifierGroup(models.Model):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="modifier_groups")
    name = models.CharField(max_length=60)
    min_choices = models.PositiveSmallIntegerField(default=0)
    max_choices = models.PositiveSmallIntegerField(default=1)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return f"{self.product.name}: {self.name}"

    @property
    def rule(self) -> str:
        # Shown to diners beside the group's choices, in their language.
        counts = {"min": self.min_choices, "max": self.max_choices}
        if self.min_choices == self.max_choices:
            return gettext("Choose %(min)s") % counts
        if self.min_choices == 0:
            if self.max_choices > 1:
                return gettext("Up to %(max)s") % counts
            return gettext("Optional")
        return gettext("Choose %(min)s to %(max)s") % counts


class Modifier(models.Model):
    group = models.ForeignKey(ModifierGroup, on_delete=models.CASCADE, related_name="modifiers")
    plu = models.CharField("PLU", max_length=64)
    name = models.CharField(max_length=80)
    price = models.DecimalField(**PRICE, default=Decimal("0.00"), help_text="Extra charge.")
    is_available = models.BooleanField("available", default=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.name


class BasketLine(models.Model):
    """Something one diner has picked and not yet had accepted by the POS (the lines of an
    accepted batch are left for ordering.batches.clear_accepted_lines, and read by nothing)."""

    diner = models.ForeignKey(Diner, on_delete=models.CASCADE, related_name="basket_lines")
    product = models.ForeignKey(Product, on_delete=models.CASCADE)
    variant = models.ForeignKey(Variant, null=True, blank=True, on_delete=models.CASCADE)
    modifiers = models.ManyToManyField(Modifier, blank=True)
    instruction = models.CharField(max_length=200, blank=True)
    quantity = models.PositiveSmallIntegerField()
    added_at = models.DateTimeField(default=timezone.now)
    # Set while the line travels in a batch; cleared again if the POS turns the batch down.
    batch = models.ForeignKey(
        "Batch", null=True, blank=True, on_delete=models.SET_NULL, related_name="basket_lines"
    )
    problem = models.CharField(max_length=200, blank=True, help_text="Why the POS turned it down.")

    class Meta:
        ordering = ["added_at", "pk"]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.product.name}"

    @property
    def unavailable_options(self) -> list[Modifier]:
        """The options chosen on this line that are sold out or delisted since."""
        return [modifier for modifier in self.modifiers.all() if not modifier.is_available]

    @property
    def can_be_sent(self) -> bool:
        return self.product.is_available and not self.unavailable_options

    def unavailable_words(self) -> str:
        """What of this line can no longer be had: the product, or it with the options."""
        if not self.product.is_available:
            return self.product.name
        options = ", ".join(modifier.name for modifier in self.unavailable_options)
        return f"{self.product.name} ({options})"

    def unit_price(self) -> Decimal:
        base = self.variant.price if self.variant else self.product.price
        return money(base + sum((m.price for m in self.modifiers.all()), Decimal("0")))

    def total(self) -> Decimal:
        return money(self.unit_price() * self.quantity)


class BatchState(models.TextChoices):
    PENDING = "pending", "Queued"
    SENT = "sent", "Sent, waiting for the POS"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Turned down"
    FAILED = "failed", "Not sent"  # OpenApp knows the POS never took it
    UNCONFIRMED = "unconfirmed", "Not confirmed"  # sent, never answered, too old to resend


FINAL_STATES = {
    BatchState.ACCEPTED,
    BatchState.REJECTED,
    BatchState.FAILED,
    BatchState.UNCONFIRMED,
}
# The rest: not answered yet, queued or sent.
WAITING = [BatchState.PENDING, BatchState.SENT]


class Batch(models.Model):
    """One "send to kitchen": written before it is sent (the outbox), answered by the POS."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    request_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    session = models.ForeignKey(TableSession, on_delete=models.PROTECT, related_name="batches")
    diner = models.ForeignKey(Diner, on_delete=models.PROTECT, related_name="batches")
    note = models.CharField(max_length=500, blank=True)
    use_pos_prices = models.BooleanField()
    is_training = models.BooleanField(default=False)
    state = models.CharField(
        max_length=12, choices=BatchState.choices, default=BatchState.PENDING, db_index=True
    )
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_by = models.CharField(max_length=80, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    result_code = models.IntegerField(null=True, blank=True)
    rejection_reason = models.CharField(max_length=30, blank=True)
    error_message = models.CharField(max_length=500, blank=True)
    pos_version = models.BigIntegerField(null=True, blank=True)
    # Staff's hand on a batch that ended without an order (ordering.staff_actions).
    resent_at = models.DateTimeField(null=True, blank=True)
    resent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    handled_at = models.DateTimeField(null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "batches"
        permissions = [
            ("resend_batch", "Can resend a failed batch or mark it handled"),
        ]

    def __str__(self) -> str:
        return f"Batch {str(self.id)[:8]} for {self.session.table.name} ({self.state})"

    @property
    def is_final(self) -> bool:
        return self.state in FINAL_STATES

    def total(self) -> Decimal:
        return money(sum((line.total() for line in self.lines.all()), Decimal("0")))


class BatchLine(models.Model):
    """What was sent, frozen at send time: names, identifiers and the price the diner saw."""

    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="lines")
    basket_line = models.ForeignKey(
        BasketLine, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    provider_product_id = models.UUIDField(default=uuid.uuid4)
    plu = models.CharField(max_length=64)
    name = models.CharField(max_length=120)
    variant_identifier = models.CharField(max_length=64, blank=True)
    variant_name = models.CharField(max_length=60, blank=True)
    quantity = models.PositiveSmallIntegerField()
    unit_price = models.DecimalField(max_digits=9, decimal_places=2)
    # [{"plu", "name", "price", "provider_product_id"}] exactly as sent as child products.
    modifiers = models.JSONField(default=list)
    instruction = models.CharField(max_length=200, blank=True)
    rejection_reason = models.CharField(max_length=30, blank=True)
    available = models.IntegerField(null=True, blank=True)
    current_price = models.DecimalField(max_digits=9, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.name}"

    def total(self) -> Decimal:
        return money(self.unit_price * self.quantity)


class CheckSupport(models.TextChoices):
    LIVE = "live", "Live from the POS"
    OWN_BATCHES = "own_batches", "Built from accepted batches (POS without snapshots)"
    UNAVAILABLE = "unavailable", "POS could not give the check"


class TableCheck(models.Model):
    """The POS's check for one table session, as last snapshotted or pushed (never computed
    here, except from accepted batches when the POS cannot give snapshots)."""

    session = models.OneToOneField(
        TableSession, on_delete=models.CASCADE, related_name="live_check"
    )
    version = models.BigIntegerField(default=-1, help_text="The POS's Version; -1 before any.")
    # Which POS connection counted that Version (when it opened, in ns): versions compare
    # only within one connection, and an answer on a newer one replaces the check.
    connection = models.BigIntegerField(default=0)
    state = stored_json.JSONField(null=True, blank=True)
    support = models.CharField(
        max_length=12, choices=CheckSupport.choices, default=CheckSupport.LIVE
    )
    problem = models.CharField(max_length=300, blank=True)
    refreshed_at = models.DateTimeField(null=True, blank=True)
    refresh_wanted_at = models.DateTimeField(null=True, blank=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Check for {self.session} (version {self.version})"


class TillStatus(models.Model):
    """Whether a location's POS can be reached now, as the bridge worker holding its
    connection last said. The bridge renews `reachable_until` while it is connected, so a
    worker that stops or dies makes the till unreachable by itself."""

    location = models.OneToOneField(Location, on_delete=models.CASCADE, related_name="till_status")
    reachable_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "till statuses"

    def __str__(self) -> str:
        return f"Till at {self.location}"
