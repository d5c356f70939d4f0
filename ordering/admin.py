"""The menu, availability and (read-only) orders, for managers and staff."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import flatten_fieldsets
from django.db import models
from django.db.models import Count
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from ordering.admin_identifiers import (
    IdentifierAdminMixin,
    IdentifierFormMixin,
    IdentifierInlineMixin,
)
from ordering.models import (
    Allergen,
    Batch,
    BatchLine,
    Category,
    DietaryTag,
    Modifier,
    ModifierGroup,
    Product,
    ProductTranslation,
    Variant,
)
from ordering.money import format_money
from ordering.reasons import pos_answer
from tables.models import TableSession
from tables.scoping import (
    LocationFilter,
    LocationScopedAdmin,
    LocationScopedInline,
    can_see,
    locations_for,
    works_at_several_locations,
)

AVAILABILITY_PERMISSION = "tables.change_availability"


# Read-only displays of what the POS and the diners' phones stored as JSON.


def _money(value: Any, currency: str) -> str:
    try:
        return format_money(Decimal(str(value)), currency)
    except (InvalidOperation, ValueError):
        return str(value)


def modifiers_text(modifiers: Any, currency: str = "GBP") -> str:
    """A batch line's modifiers as sent: "Rare, Peppercorn sauce (+£2.00)"."""
    if not modifiers:
        return "—"
    parts = []
    for modifier in modifiers if isinstance(modifiers, list) else [modifiers]:
        if not isinstance(modifier, dict):
            parts.append(str(modifier))
            continue
        name = modifier.get("name") or modifier.get("plu") or "?"
        price = modifier.get("price")
        try:
            extra = Decimal(str(price)) if price is not None else Decimal("0")
        except InvalidOperation:
            extra = Decimal("0")
        parts.append(f"{name} (+{_money(extra, currency)})" if extra else str(name))
    return ", ".join(parts)


def check_html(state: Any, currency: str = "GBP") -> SafeString:
    """The table's bill as the POS last gave it, as a small table."""
    if not isinstance(state, dict):
        return format_html("<p>{}</p>", "The POS has not sent this table's bill.")
    currency = state.get("currency") or currency
    rows = []
    for line in state.get("lines") or []:
        if not isinstance(line, dict):
            continue
        name = str(line.get("name", ""))
        if line.get("variant"):
            name += f" ({line['variant']})"
        details = ", ".join(str(d) for d in line.get("details") or [])
        status = str(line.get("status") or "").capitalize()
        if line.get("by_staff"):
            status += " · added by staff"
        item = format_html("{}<br><small>{}</small>", name, details) if details else name
        rows.append(
            (line.get("quantity", ""), item, status, _money(line.get("total", "0"), currency))
        )
    totals = [(str(a.get("name", "")), a.get("amount")) for a in state.get("adjustments") or []]
    for tax in state.get("taxes") or []:
        label = str(tax.get("name", "Tax")) + ("" if tax.get("added_on_top") else " (included)")
        totals.append((label, tax.get("amount")))
    if state.get("service_charge") is not None:
        totals.append(("Service charge", state["service_charge"]))
    totals.append(("Total", state.get("amount", "0")))
    totals.append(("Still to pay", state.get("amount_owing", "0")))
    heading = "Closed" if state.get("is_closed") else "Open"
    if state.get("order_number"):
        heading += f" · POS order {state['order_number']}"
    body = format_html_join(
        "",
        '<tr><td>{}</td><td>{}</td><td>{}</td><td style="text-align:right">{}</td></tr>',
        rows,
    )
    footer = format_html_join(
        "",
        '<tr><td colspan="3" style="text-align:right">{}</td>'
        '<td style="text-align:right">{}</td></tr>',
        ((label, _money(amount, currency)) for label, amount in totals),
    )
    return format_html(
        "<p>{}</p><table><thead><tr><th>Qty</th><th>Item</th><th>Status</th>"
        '<th style="text-align:right">Total</th></tr></thead><tbody>{}{}</tbody></table>',
        heading,
        body or format_html('<tr><td colspan="4">{}</td></tr>', "Nothing on the bill yet."),
        footer,
    )


# Shared menu pieces.


class AvailabilityMixin:
    """Staff may mark things available or sold out without being able to change the rest."""

    availability_field = "is_available"

    def has_availability_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(AVAILABILITY_PERMISSION)

    def can_edit_everything(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return super().has_change_permission(request, obj)  # type: ignore[misc]

    def has_change_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        if self.can_edit_everything(request, obj):
            return True
        return self.has_availability_permission(request) and (
            obj is None or can_see(request.user, obj)
        )

    def get_readonly_fields(
        self, request: HttpRequest, obj: models.Model | None = None
    ) -> list[str]:
        readonly = list(super().get_readonly_fields(request, obj))  # type: ignore[misc]
        if self.can_edit_everything(request, obj):
            return readonly
        fields = flatten_fieldsets(self.get_fieldsets(request, obj))  # type: ignore[attr-defined]
        return readonly + [
            name for name in fields if name not in readonly and name != self.availability_field
        ]

    @admin.action(description="Mark as available", permissions=["availability"])
    def mark_available(self, request: HttpRequest, queryset: models.QuerySet[Any]) -> None:
        count = self.set_availability(request, queryset, True)
        self.message_user(request, f"{count} marked as available.", messages.SUCCESS)  # type: ignore[attr-defined]

    @admin.action(description="Mark as sold out", permissions=["availability"])
    def mark_sold_out(self, request: HttpRequest, queryset: models.QuerySet[Any]) -> None:
        count = self.set_availability(request, queryset, False)
        self.message_user(request, f"{count} marked as sold out.", messages.SUCCESS)  # type: ignore[attr-defined]

    def set_availability(
        self, request: HttpRequest, queryset: models.QuerySet[Any], available: bool
    ) -> int:
        # Row by row through save(), not queryset.update(): post_save is what tells open
        # menus, and the history shows who did it.
        changed = 0
        for row in queryset.exclude(is_available=available):
            row.is_available = available
            row.save(update_fields=["is_available"])
            self.log_change(request, row, [{"changed": {"fields": ["Available"]}}])  # type: ignore[attr-defined]
            changed += 1
        return changed


class LocationColumnMixin:
    """Shows the location column and filter only to people who work at several."""

    location_column = "location"
    location_filter_path = "location"

    def get_list_display(self, request: HttpRequest) -> list[str]:
        columns = list(super().get_list_display(request))  # type: ignore[misc]
        if not works_at_several_locations(request) and self.location_column in columns:
            columns.remove(self.location_column)
        return columns

    def get_list_filter(self, request: HttpRequest) -> list[Any]:
        filters = list(super().get_list_filter(request))  # type: ignore[misc]
        if works_at_several_locations(request):
            filters.append((self.location_filter_path, LocationFilter))
        return filters


def _price(currency_of: Any, value: Decimal) -> str:
    return format_money(value, currency_of.currency)


@admin.register(DietaryTag, Allergen)
class DietaryInformationAdmin(admin.ModelAdmin):
    """Shared by every location: codes the menu files refer to. Only superusers change them."""

    list_display = ["name", "code"]
    search_fields = ["name", "code"]
    prepopulated_fields = {"code": ["name"]}


@admin.register(Category)
class CategoryAdmin(LocationColumnMixin, LocationScopedAdmin, admin.ModelAdmin):
    list_display = ["name", "position", "product_count", "location"]
    ordering = ["location__name", "position", "name"]
    list_editable = ["position"]
    search_fields = ["name"]
    fields = ["location", "name", "position"]

    def get_queryset(self, request: HttpRequest) -> models.QuerySet[Category]:
        return super().get_queryset(request).annotate(product_count=Count("products"))

    @admin.display(description="products", ordering="product_count")
    def product_count(self, category: Category) -> int:
        return category.product_count  # type: ignore[attr-defined]


class VariantForm(IdentifierFormMixin, forms.ModelForm):
    identifier_fields = ("pos_identifier",)


class ModifierForm(IdentifierFormMixin, forms.ModelForm):
    identifier_fields = ("plu",)


class VariantInline(IdentifierInlineMixin, LocationScopedInline, admin.TabularInline):
    model = Variant
    form = VariantForm
    extra = 0
    fields = ["name", "pos_identifier", "price", "position"]
    verbose_name = "variant"
    verbose_name_plural = "variants (the diner picks one, e.g. pint or half)"


class ProductTranslationInline(LocationScopedInline, admin.TabularInline):
    model = ProductTranslation
    extra = 0
    fields = ["language", "name", "description"]
    verbose_name = "translation"
    verbose_name_plural = (
        "translations (diners reading another language see these; blank: the location's own)"
    )


class ChoiceRulesForm(forms.ModelForm):
    def clean(self) -> dict[str, Any]:
        data = super().clean()
        low, high = data.get("min_choices"), data.get("max_choices")
        if high is not None and high < 1:
            self.add_error("max_choices", "Allow at least one choice.")
        elif low is not None and high is not None and low > high:
            self.add_error("min_choices", "The minimum can't be more than the maximum.")
        return data


class ModifierGroupInline(LocationScopedInline, admin.TabularInline):
    model = ModifierGroup
    form = ChoiceRulesForm
    extra = 0
    fields = ["name", "min_choices", "max_choices", "position", "modifier_list"]
    readonly_fields = ["modifier_list"]
    show_change_link = True
    verbose_name = "modifier group"
    verbose_name_plural = "modifier groups (save, then use “Change” to edit their modifiers)"

    @admin.display(description="modifiers")
    def modifier_list(self, group: ModifierGroup) -> str:
        if group.pk is None:
            return "—"
        return ", ".join(modifier.name for modifier in group.modifiers.all()) or "none yet"


class ProductForm(IdentifierFormMixin, forms.ModelForm):
    identifier_fields = ("plu",)

    class Meta:
        model = Product
        fields = [
            "location",
            "category",
            "name",
            "plu",
            "price",
            "description",
            "dietary_tags",
            "allergens",
            "allergens_declared",
            "is_available",
            "position",
        ]
        widgets = {
            "dietary_tags": forms.CheckboxSelectMultiple,
            "allergens": forms.CheckboxSelectMultiple,
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        location = data.get("location", getattr(self.instance, "location", None))
        category = data.get("category")
        if location and category and category.location_id != location.pk:
            self.add_error("category", f"Choose one of {location}'s categories.")
        return data


@admin.register(Product)
class ProductAdmin(
    IdentifierAdminMixin,
    AvailabilityMixin,
    LocationColumnMixin,
    LocationScopedAdmin,
    admin.ModelAdmin,
):
    form = ProductForm
    list_display = ["name", "plu", "category", "menu_price", "is_available", "location"]
    list_display_links = ["name"]
    list_editable = ["is_available"]
    list_filter = [
        "is_available",
        ("category", admin.RelatedOnlyFieldListFilter),
        ("dietary_tags", admin.RelatedOnlyFieldListFilter),
        ("allergens", admin.RelatedOnlyFieldListFilter),
    ]
    list_select_related = ["category", "location"]
    search_fields = ["name", "plu", "description", "category__name"]
    fieldsets = [
        (
            None,
            {"fields": ["location", "category", "name", "plu", "price", "description", "image"]},
        ),
        ("Dietary information", {"fields": ["dietary_tags", "allergens", "allergens_declared"]}),
        ("On the menu", {"fields": ["is_available", "position"]}),
    ]
    inlines = [VariantInline, ModifierGroupInline, ProductTranslationInline]
    actions = ["mark_available", "mark_sold_out"]

    @admin.display(description="price", ordering="price")
    def menu_price(self, product: Product) -> str:
        return _price(product.location, product.price)

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        initial = super().get_changeform_initial_data(request)
        locations = list(locations_for(request.user)[:2])
        if len(locations) == 1:
            initial.setdefault("location", locations[0].pk)
        return initial


class ModifierInline(IdentifierInlineMixin, LocationScopedInline, admin.TabularInline):
    model = Modifier
    form = ModifierForm
    extra = 0
    fields = ["name", "plu", "price", "is_available", "position"]


@admin.register(ModifierGroup)
class ModifierGroupAdmin(
    IdentifierAdminMixin, LocationColumnMixin, LocationScopedAdmin, admin.ModelAdmin
):
    form = ChoiceRulesForm
    list_display = ["name", "product", "rule", "modifier_count", "location"]
    ordering = ["product__name", "position", "pk"]
    location_filter_path = "product__location"
    search_fields = ["name", "product__name", "product__plu"]
    list_select_related = ["product__location"]
    autocomplete_fields = ["product"]
    fields = ["product", "name", "min_choices", "max_choices", "position"]
    inlines = [ModifierInline]

    def get_queryset(self, request: HttpRequest) -> models.QuerySet[ModifierGroup]:
        return super().get_queryset(request).annotate(modifier_count=Count("modifiers"))

    @admin.display(description="choices")
    def rule(self, group: ModifierGroup) -> str:
        return group.rule

    @admin.display(description="modifiers", ordering="modifier_count")
    def modifier_count(self, group: ModifierGroup) -> int:
        return group.modifier_count  # type: ignore[attr-defined]

    @admin.display(description="location")
    def location(self, group: ModifierGroup) -> str:
        return str(group.product.location)


@admin.register(Modifier)
class ModifierAdmin(
    IdentifierAdminMixin,
    AvailabilityMixin,
    LocationColumnMixin,
    LocationScopedAdmin,
    admin.ModelAdmin,
):
    form = ModifierForm
    list_display = ["name", "plu", "group", "extra_charge", "is_available", "location"]
    list_editable = ["is_available"]
    list_filter = ["is_available"]
    location_filter_path = "group__product__location"
    list_select_related = ["group__product__location"]
    search_fields = ["name", "plu", "group__name", "group__product__name"]
    autocomplete_fields = ["group"]
    fields = ["group", "name", "plu", "price", "is_available", "position"]
    actions = ["mark_available", "mark_sold_out"]

    @admin.display(description="extra charge", ordering="price")
    def extra_charge(self, modifier: Modifier) -> str:
        return _price(modifier.group.product.location, modifier.price)

    @admin.display(description="location")
    def location(self, modifier: Modifier) -> str:
        return str(modifier.group.product.location)


# Orders: what was sent to the POS, never changed here.


class ReadOnlyMixin:
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class BatchLineInline(ReadOnlyMixin, LocationScopedInline, admin.TabularInline):
    model = BatchLine
    verbose_name = "item sent"
    verbose_name_plural = "items sent"
    fields = [
        "quantity",
        "name",
        "plu",
        "variant",
        "modifier_list",
        "instruction",
        "price_each",
        "line_total",
        "pos_answer",
    ]
    readonly_fields = fields
    can_delete = False

    def _currency(self, line: BatchLine) -> str:
        return line.batch.session.table.location.currency

    @admin.display(description="variant")
    def variant(self, line: BatchLine) -> str:
        return line.variant_name or "—"

    @admin.display(description="modifiers")
    def modifier_list(self, line: BatchLine) -> str:
        return modifiers_text(line.modifiers, self._currency(line))

    @admin.display(description="price each")
    def price_each(self, line: BatchLine) -> str:
        return format_money(line.unit_price, self._currency(line))

    @admin.display(description="total")
    def line_total(self, line: BatchLine) -> str:
        return format_money(line.total(), self._currency(line))

    @admin.display(description="POS said")
    def pos_answer(self, line: BatchLine) -> str:
        parts = []
        if line.rejection_reason:
            parts.append(f"turned down: {line.rejection_reason}")
        if line.available is not None:
            parts.append(f"{line.available} left")
        if line.current_price is not None:
            parts.append(f"price now {format_money(line.current_price, self._currency(line))}")
        return "; ".join(parts) or "—"


@admin.register(Batch)
class BatchAdmin(ReadOnlyMixin, LocationColumnMixin, LocationScopedAdmin, admin.ModelAdmin):
    list_display = ["short_id", "table", "state", "created_at", "order_total", "location"]
    list_filter = ["state", "is_training", "created_at"]
    location_filter_path = "session__table__location"
    list_select_related = ["session__table__location"]
    search_fields = ["session__table__name", "lines__name", "lines__plu"]
    date_hierarchy = "created_at"
    inlines = [BatchLineInline]
    fieldsets = [
        (None, {"fields": ["table_session", "diner_link", "state", "order_total", "note"]}),
        (
            "Sent to the POS",
            {
                "fields": [
                    "created_at",
                    "sent_at",
                    "answered_at",
                    "attempts",
                    "prices_charged",
                    "training_order",
                    "request_id",
                ]
            },
        ),
        (
            "The POS's answer",
            {"fields": ["pos_answer", "result_code", "error_message", "check_version"]},
        ),
        ("Staff", {"fields": ["resent_at", "resent_by", "handled_at", "handled_by"]}),
    ]
    readonly_fields = [
        "table_session",
        "diner_link",
        "order_total",
        "state",
        "note",
        "created_at",
        "sent_at",
        "answered_at",
        "attempts",
        "prices_charged",
        "training_order",
        "request_id",
        "pos_answer",
        "result_code",
        "error_message",
        "check_version",
        "resent_at",
        "resent_by",
        "handled_at",
        "handled_by",
    ]

    @admin.display(description="what the POS said")
    def pos_answer(self, batch: Batch) -> str:
        return pos_answer(batch)

    @admin.display(description="prices charged")
    def prices_charged(self, batch: Batch) -> str:
        return "POS prices" if batch.use_pos_prices else "Menu prices"

    @admin.display(description="training order", boolean=True)
    def training_order(self, batch: Batch) -> bool:
        return batch.is_training

    @admin.display(description="POS check version")
    def check_version(self, batch: Batch) -> str:
        return "—" if batch.pos_version is None else str(batch.pos_version)

    @admin.display(description="batch", ordering="created_at")
    def short_id(self, batch: Batch) -> str:
        return str(batch.id)[:8]

    @admin.display(description="table", ordering="session__table__name")
    def table(self, batch: Batch) -> str:
        return batch.session.table.name

    @admin.display(description="location")
    def location(self, batch: Batch) -> str:
        return str(batch.session.table.location)

    @admin.display(description="total")
    def order_total(self, batch: Batch) -> str:
        return format_money(batch.total(), batch.session.table.location.currency)

    @admin.display(description="table session")
    def table_session(self, batch: Batch) -> SafeString:
        url = reverse("admin:tables_tablesession_change", args=[batch.session_id])
        return format_html('<a href="{}">{}</a>', url, batch.session)

    @admin.display(description="diner")
    def diner_link(self, batch: Batch) -> str:
        return f"Phone {batch.diner_id}"


# A table's visits, with what was sent and the POS's bill.


class SessionStatusFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("open", "Open"), ("closed", "Closed")]

    def queryset(self, request: HttpRequest, queryset: models.QuerySet[Any]) -> Any:
        if self.value() == "open":
            return queryset.filter(closed_at__isnull=True)
        if self.value() == "closed":
            return queryset.filter(closed_at__isnull=False)
        return queryset


class BatchInline(ReadOnlyMixin, LocationScopedInline, admin.TabularInline):
    model = Batch
    fields = ["created_at", "state", "items", "total"]
    readonly_fields = fields
    show_change_link = True
    can_delete = False
    verbose_name = "order sent to the POS"
    verbose_name_plural = "orders sent to the POS"

    @admin.display(description="items")
    def items(self, batch: Batch) -> str:
        return ", ".join(str(line) for line in batch.lines.all()) or "—"

    @admin.display(description="total")
    def total(self, batch: Batch) -> str:
        return format_money(batch.total(), batch.session.table.location.currency)


@admin.register(TableSession)
class TableSessionAdmin(ReadOnlyMixin, LocationColumnMixin, LocationScopedAdmin, admin.ModelAdmin):
    list_display = ["table", "location", "opened_at", "closed_at", "diner_count", "batch_count"]
    list_filter = [SessionStatusFilter, "opened_at"]
    list_select_related = ["table__location"]
    search_fields = ["table__name", "table__pos_table_id"]
    date_hierarchy = "opened_at"
    ordering = ["-opened_at"]
    fields = ["table", "opened_at", "closed_at", "diner_count", "bill"]
    readonly_fields = fields
    inlines = [BatchInline]
    location_filter_path = "table__location"

    def get_queryset(self, request: HttpRequest) -> models.QuerySet[TableSession]:
        return (
            super()
            .get_queryset(request)
            .annotate(
                diner_total=Count("diners", distinct=True),
                batch_total=Count("batches", distinct=True),
            )
        )

    @admin.display(description="location", ordering="table__location__name")
    def location(self, session: TableSession) -> str:
        return str(session.table.location)

    @admin.display(description="diners", ordering="diner_total")
    def diner_count(self, session: TableSession) -> int:
        return session.diner_total  # type: ignore[attr-defined]

    @admin.display(description="orders sent", ordering="batch_total")
    def batch_count(self, session: TableSession) -> int:
        return session.batch_total  # type: ignore[attr-defined]

    @admin.display(description="bill from the POS")
    def bill(self, session: TableSession) -> SafeString:
        check = getattr(session, "live_check", None)
        return check_html(check.state if check else None, session.table.location.currency)
