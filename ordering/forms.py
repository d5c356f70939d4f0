"""Diner input, checked on the server: a tampered form or a silly quantity gets a clear answer."""

from __future__ import annotations

import unicodedata
from decimal import Decimal

from django import forms
from django.utils.translation import gettext, gettext_lazy

from ordering import limits
from ordering.models import Modifier, ModifierGroup, Product, Variant
from ordering.money import money

QUANTITY_MESSAGES = {
    "required": gettext_lazy("Choose how many you'd like."),
    "invalid": gettext_lazy("Quantity must be a whole number, like 1 or 2."),
    "min_value": gettext_lazy("Quantity must be at least 1. To take it out, tap Remove."),
}


def quantity_field() -> forms.IntegerField:
    """At most BASKET_MAX_QUANTITY (ordering/limits.py), read when the form is made."""
    return forms.IntegerField(
        min_value=1,
        max_value=limits.max_quantity(),
        initial=1,
        error_messages={**QUANTITY_MESSAGES, "max_value": limits.too_many_message()},
    )


def clean_text(value: str) -> str:
    """Free text for the kitchen: printable characters only, whitespace collapsed."""
    spaced = "".join(" " if ch.isspace() else ch for ch in value)
    printable = "".join(ch for ch in spaced if unicodedata.category(ch)[0] != "C")
    return " ".join(printable.split())


class QuantityForm(forms.Form):
    quantity = quantity_field()

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["quantity"] = quantity_field()


class NoteForm(forms.Form):
    note = forms.CharField(max_length=500, required=False)

    def clean_note(self) -> str:
        return clean_text(self.cleaned_data["note"])


class DinerNameForm(forms.Form):
    """What the others at the table call this diner; blank: no name."""

    name = forms.CharField(required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"] = forms.CharField(
            required=False,
            max_length=limits.NAME_MAX_LENGTH,
            error_messages={"max_length": limits.name_too_long_message()},
        )

    def clean_name(self) -> str:
        name = clean_text(self.cleaned_data["name"])
        if len(name) > limits.NAME_MAX_LENGTH:
            raise forms.ValidationError(limits.name_too_long_message())
        return name


class ProductChoiceForm(forms.Form):
    """A product's variant, modifier choices, instruction and quantity."""

    instruction = forms.CharField(
        max_length=200,
        required=False,
        label=gettext_lazy("Anything the kitchen should know?"),
        widget=forms.TextInput(attrs={"placeholder": gettext_lazy("e.g. sauce on the side")}),
    )
    quantity = quantity_field()

    def __init__(self, product: Product, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["quantity"] = quantity_field()
        self.product = product
        self.groups: list[ModifierGroup] = list(product.modifier_groups.all())
        variants = list(product.variants.all())
        if variants:
            self.fields["variant"] = forms.ModelChoiceField(
                queryset=Variant.objects.filter(product=product),
                widget=forms.RadioSelect,
                empty_label=None,
                label=gettext("Size"),
                error_messages={
                    "required": gettext("Choose a size."),
                    "invalid_choice": gettext("That size isn't on the menu."),
                },
            )
            self.fields["variant"].label_from_instance = lambda v: v.name
        for group in self.groups:
            queryset = Modifier.objects.filter(group=group, is_available=True)
            messages = {
                "invalid_choice": gettext("%(group)s: that choice isn't on the menu.")
                % {"group": group.name}
            }
            if group.max_choices == 1:
                field: forms.Field = forms.ModelChoiceField(
                    queryset=queryset,
                    widget=forms.RadioSelect,
                    required=False,
                    empty_label=None,
                    error_messages=messages,
                )
            else:
                field = forms.ModelMultipleChoiceField(
                    queryset=queryset,
                    widget=forms.CheckboxSelectMultiple,
                    required=False,
                    error_messages={**messages, "invalid_pk_value": messages["invalid_choice"]},
                )
            field.label = group.name
            field.help_text = group.rule
            field.group = group
            self.fields[self.group_field(group)] = field

    @staticmethod
    def group_field(group: ModifierGroup) -> str:
        return f"group_{group.pk}"

    def clean_instruction(self) -> str:
        return clean_text(self.cleaned_data["instruction"])

    def clean(self) -> dict:
        cleaned = super().clean()
        if not self.product.is_available:
            raise forms.ValidationError(
                gettext("Sorry, %(product)s is not available right now.")
                % {"product": self.product.name}
            )
        for group in self.groups:
            name = self.group_field(group)
            if name in self.errors:
                continue
            chosen = self.chosen_in(group)
            if group.max_choices == 1 and len(self.data.getlist(name)) > 1:
                # A radio group cannot send two values; a tampered form can.
                self.add_error(name, f"{group.name}: {group.rule.lower()}.")
            elif len(chosen) < group.min_choices or len(chosen) > group.max_choices:
                self.add_error(name, f"{group.name}: {group.rule.lower()}.")
        return cleaned

    def chosen_in(self, group: ModifierGroup) -> list[Modifier]:
        value = self.cleaned_data.get(self.group_field(group))
        if value is None:
            return []
        if isinstance(value, Modifier):
            return [value]
        return list(value)

    def chosen_modifiers(self) -> list[Modifier]:
        return [m for group in self.groups for m in self.chosen_in(group)]

    def shown_total(self) -> Decimal:
        """The line's total for the choices the page shows ticked, before any script runs
        (static/js/diner.js then follows the diner's changes). What the basket charges is
        priced again from the menu when the line is added."""
        variants = list(self.product.variants.all())
        chosen_variant = variants[0] if len(variants) == 1 else None
        picked: list[str] = []
        if self.is_bound:
            wanted = self.data.get("variant")
            chosen_variant = next((v for v in variants if str(v.pk) == wanted), chosen_variant)
            picked = [
                value
                for group in self.groups
                for value in self.data.getlist(self.group_field(group))
            ]
        unit = chosen_variant.price if chosen_variant else self.product.price
        for group in self.groups:
            for modifier in group.modifiers.all():
                if modifier.is_available and str(modifier.pk) in picked:
                    unit += modifier.price
        try:
            quantity = int(self.data.get("quantity", 1)) if self.is_bound else 1
        except (TypeError, ValueError):
            quantity = 1
        quantity = min(max(quantity, 1), limits.max_quantity())
        return money(unit * quantity)

    def group_fields(self) -> list[forms.BoundField]:
        return [self[self.group_field(group)] for group in self.groups]
