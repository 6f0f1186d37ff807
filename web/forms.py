"""Forms from the actions' pydantic models: the field type decides the input, so the form and the
workflow's validator never disagree; the server validates again with the same model.

Pure: imports pydantic and the domain only. Four functions:

- `form_for(model, values)`: one `Field` per model field (recursively), labelled in Danish.
- `parse_form(model, posted, actor)`: the posted strings back into the dict the model validates.
  Nothing a person typed is dropped or rewritten here: a value that is not a number or not a time stays
  the string it was, so the model refuses it and the form shows it again.
- `to_form(value, model)`: a command (or a parsed dict) as form inputs; what re-renders a form.
- `errors_da(error, model)`: pydantic's errors as Danish messages keyed by the inputs' HTML names.

HTML names are dotted paths: `facts.data_categories`, `suppliers.0.email`. A list of texts and a set of
checkboxes repeat one name. A refused form is re-rendered with `refill(model, posted)`, which compacts
lists the way `parse_form` does, so the indices in the error keys are the ones on the page.
"""

from __future__ import annotations

import enum
import re
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from typing import Any, Union

from pydantic import AwareDatetime, BaseModel, EmailStr, NaiveDatetime, ValidationError
from pydantic.fields import FieldInfo

from domain.kernel.deadlines import COPENHAGEN
from domain.kernel.bounds import EARLIEST, LATEST
from web.labels import (
    CHOOSE, HELP_DA, LABELS_DA, NONE_KNOWN, NOT_GIVEN, NO, OPTION_DA, RULE_FALLBACK_DA, RULES_DA, UNKNOWN,
    UNAUTHORISED_NEEDS_DA, YES,
)

FormData = Mapping[str, "str | list[str]"]

SHORT_TEXT_MAX = 500  # ShortText: one line; longer texts get a textarea
LIST_EMPTY_SLOTS = 3  # empty inputs offered after the filled ones of a list of texts
NONE_SUFFIX = ".none"  # the checkbox that says an optional list is known to be empty
TRUE, FALSE = "true", "false"


@dataclass
class Field:
    """One input (or a group of inputs) as the template renders it."""

    name: str  # the HTML name
    label: str  # Danish
    kind: str  # text textarea email number datetime date yesno select multiselect list group repeat
    required: bool
    help: str | None = None
    options: list[tuple[str, str]] = field(default_factory=list)  # (value, Danish label)
    value: str | list[str] | None = None  # what to show: the person's input, or the model's default
    children: list[Field] = field(default_factory=list)  # group: its fields; repeat: one group per item
    item_kind: str | None = None  # list: "text" or "textarea" for each item
    max_length: int | None = None
    step: str | None = None  # number: "1", "0.01" or "any"
    minimum: str | None = None
    maximum: str | None = None
    none_name: str | None = None  # an optional list: the "Ingen" checkbox's name
    none_label: str | None = None
    index: int | None = None  # an item of a repeat: its position, from 0


# --- reading the models ---------------------------------------------------------------------------------


@dataclass
class _Shape:
    base: Any  # the innermost type: str, int, a model class, an enum class, ...
    nullable: bool
    is_list: bool
    metadata: list[Any]  # constraints of the value (for a list: of its items)
    list_metadata: list[Any]  # constraints of the list itself


def _strip_annotated(tp: Any, metadata: list[Any]) -> Any:
    while typing.get_origin(tp) is typing.Annotated:
        args = typing.get_args(tp)
        metadata.extend(args[1:])
        tp = args[0]
    return tp


def _strip_optional(tp: Any) -> tuple[Any, bool]:
    origin = typing.get_origin(tp)
    if origin is Union or origin is types.UnionType:
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if len(args) == 1:
            return args[0], len(args) != len(typing.get_args(tp))
        raise TypeError(f"unions other than X | None have no form input: {tp}")
    return tp, False


def _shape(info: FieldInfo) -> _Shape:
    outer: list[Any] = []
    tp = _strip_annotated(info.annotation, outer)
    tp, nullable = _strip_optional(tp)
    tp = _strip_annotated(tp, outer)
    if typing.get_origin(tp) is list:
        inner: list[Any] = []
        item = _strip_annotated(typing.get_args(tp)[0], inner)
        return _Shape(item, nullable, True, _flatten(inner), _flatten(outer + list(info.metadata)))
    if typing.get_origin(tp) is dict:
        raise TypeError("dict fields have no form input yet")
    return _Shape(tp, nullable, False, _flatten(outer + list(info.metadata)), [])


def _flatten(metadata: list[Any]) -> list[Any]:
    out: list[Any] = []
    for item in metadata:
        if isinstance(item, FieldInfo):
            out.extend(_flatten(list(item.metadata)))
        else:
            out.append(item)
    return out


def _constraint(metadata: list[Any], name: str) -> Any:
    for item in metadata:
        value = getattr(item, name, None)
        if value is not None:
            return value
    return None


def _is_model(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, BaseModel)


def _is_enum(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, enum.Enum)


def _is_datetime(tp: Any) -> bool:
    return tp in (datetime, AwareDatetime, NaiveDatetime)


def _leaf_kind(shape: _Shape) -> str:
    base = shape.base
    if base is bool:
        return "yesno"
    if _is_enum(base):
        return "select"
    if base is EmailStr:
        return "email"
    if _is_datetime(base):
        return "datetime"
    if base is date:
        return "date"
    if base in (int, float, Decimal):
        return "number"
    if base is str:
        max_length = _constraint(shape.metadata, "max_length")
        return "textarea" if max_length is None or max_length > SHORT_TEXT_MAX else "text"
    raise TypeError(f"no form input for {base!r}")


def _kind(shape: _Shape) -> str:
    if shape.is_list:
        if _is_model(shape.base):
            return "repeat"
        if _is_enum(shape.base):
            return "multiselect"
        if _leaf_kind(shape) in ("text", "textarea"):
            return "list"
        raise TypeError(f"no form input for a list of {shape.base!r}")
    if _is_model(shape.base):
        return "group"
    return _leaf_kind(shape)


def _lookup(table: dict[str, str], model: type[BaseModel], name: str) -> str | None:
    for cls in model.__mro__:
        if f"{getattr(cls, '__name__', '')}.{name}" in table:
            return table[f"{cls.__name__}.{name}"]
    return table.get(name)


def label_da(model: type[BaseModel], name: str) -> str | None:
    """The Danish label of a model's field, or None when the table lacks it (a test catches that)."""
    return _lookup(LABELS_DA, model, name)


def help_da(model: type[BaseModel], name: str) -> str | None:
    return _lookup(HELP_DA, model, name)


def _options(enum_type: type[enum.Enum]) -> list[tuple[str, str]]:
    labels = OPTION_DA[enum_type]
    return [(member.value, labels[member]) for member in enum_type]


def model_fields(model: type[BaseModel], exclude: frozenset[str] | set[str] = frozenset()) -> list[tuple[str, FieldInfo]]:
    return [(name, info) for name, info in model.model_fields.items() if name not in exclude]


# --- values: model <-> form strings ---------------------------------------------------------------------


def _as_str(value: Any) -> str:
    if isinstance(value, bool):
        return TRUE if value else FALSE
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, datetime):
        return local_input(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def local_input(moment: datetime) -> str:
    """An aware time as `<input type="datetime-local">` shows it: Copenhagen wall clock, no offset.

    The hour that occurs twice when summer time ends shows the same for both; `parse_local` reads it as
    the first (summer time)."""
    if moment.tzinfo is None:
        return moment.isoformat(timespec="minutes" if not moment.second else "seconds")
    local = moment.astimezone(COPENHAGEN).replace(tzinfo=None)
    return local.isoformat(timespec="seconds" if local.second or local.microsecond else "minutes")


def parse_local(text: str) -> str:
    """A datetime-local value, read as Copenhagen time, as an aware UTC ISO string.

    What is not a time is returned as typed (the model refuses it with its own error). A wall-clock time
    that does not exist in Copenhagen (the hour skipped when summer time starts) is returned naive, so
    the model refuses it as a time without a zone; `errors_da` says why."""
    try:
        naive = datetime.fromisoformat(text.strip())
    except ValueError:
        return text
    if naive.tzinfo is not None:
        return naive.isoformat()
    local = naive.replace(tzinfo=COPENHAGEN)
    try:
        utc = local.astimezone(timezone.utc)
    except (OverflowError, ValueError):  # year 1 or 9999: out of range anyway, let the model say so
        return naive.replace(tzinfo=timezone.utc).isoformat()
    if utc.astimezone(COPENHAGEN).replace(tzinfo=None) != naive:
        return naive.isoformat()
    return utc.isoformat()


def to_form(value: BaseModel | Mapping[str, Any], model: type[BaseModel] | None = None,
            exclude: frozenset[str] | set[str] = frozenset({"actor"})) -> dict[str, str | list[str]]:
    """A command (or the dict `parse_form` made) as the inputs a person would post for it."""
    if isinstance(value, BaseModel):
        model = model or type(value)
        data: Mapping[str, Any] = {name: getattr(value, name) for name in type(value).model_fields}
    else:
        if model is None:
            raise TypeError("to_form needs the model for a dict")
        data = value
    out: dict[str, str | list[str]] = {}
    _flatten_into(out, model, data, "", exclude)
    return out


def _flatten_into(out: dict[str, str | list[str]], model: type[BaseModel], data: Mapping[str, Any], prefix: str,
                  exclude: frozenset[str] | set[str] = frozenset()) -> None:
    for name, info in model_fields(model, exclude):
        if name not in data:
            continue
        value = data[name]
        key = prefix + name
        shape = _shape(info)
        kind = _kind(shape)
        if isinstance(value, BaseModel):
            value = {n: getattr(value, n) for n in type(value).model_fields}
        if value is None:
            if kind == "yesno":
                out[key] = ""
            continue
        if kind == "group" and isinstance(value, Mapping):
            _flatten_into(out, shape.base, value, key + ".")
        elif kind == "repeat" and isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, BaseModel):
                    item = {n: getattr(item, n) for n in type(item).model_fields}
                if isinstance(item, Mapping):
                    _flatten_into(out, shape.base, item, f"{key}.{i}.")
        elif kind in ("list", "multiselect") and isinstance(value, list):
            out[key] = [_as_str(v) for v in value]
            if kind == "list" and shape.nullable and not value:
                out[key + NONE_SUFFIX] = TRUE
        elif kind == "datetime" and isinstance(value, str):
            out[key] = _stored_time_as_input(value)
        else:
            out[key] = _as_str(value)


def _stored_time_as_input(text: str) -> str:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return text
    return local_input(moment) if moment.tzinfo is not None else text


# --- the posted form -> the dict the model validates ---------------------------------------------------


def _get(form: FormData, name: str) -> str | None:
    value = form.get(name)
    if isinstance(value, list):
        return value[-1] if value else None
    return value


def _get_all(form: FormData, name: str) -> list[str]:
    value = form.get(name)
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _empty(text: str | None) -> bool:
    return text is None or text.strip() == ""


def _number(text: str, base: Any) -> Any:
    raw = text.strip().replace(" ", "").replace("\u00a0", "")
    if base is int and re.fullmatch(r"\d{1,3}(\.\d{3})+", raw):  # Danish thousands: 1.000
        raw = raw.replace(".", "")
    elif "," in raw and "." not in raw:  # Danish decimal comma
        raw = raw.replace(",", ".")
    try:
        if base is int:
            return int(raw)
        if base is float:
            return float(raw)
        return Decimal(raw)
    except (ValueError, InvalidOperation):
        return text  # not a number: the model refuses it and the person sees what they typed


def _bool(text: str) -> Any:
    lowered = text.strip().lower()
    if lowered in (TRUE, "ja", "1", "on"):
        return True
    if lowered in (FALSE, "nej", "0", "off"):
        return False
    return text


def _leaf(kind: str, shape: _Shape, text: str) -> Any:
    if kind == "yesno":
        return _bool(text)
    if kind == "number":
        return _number(text, shape.base)
    if kind == "datetime":
        return parse_local(text)
    if kind == "textarea":
        return text.replace("\r\n", "\n")  # browsers post CRLF; the person typed line breaks
    if kind in ("date", "select"):
        return text.strip()
    return text


def _repeat_indices(form: FormData, prefix: str) -> list[int]:
    found: set[int] = set()
    pattern = re.compile(re.escape(prefix) + r"(\d+)\.")
    for key in form:
        match = pattern.match(key)
        if match:
            found.add(int(match.group(1)))
    return sorted(found)


def _parse_model(model: type[BaseModel], form: FormData, prefix: str,
                 exclude: frozenset[str] | set[str] = frozenset()) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, info in model_fields(model, exclude):
        key = prefix + name
        shape = _shape(info)
        kind = _kind(shape)
        if kind == "group":
            nested = _parse_model(shape.base, form, key + ".")
            if nested or info.is_required():
                out[name] = nested
        elif kind == "repeat":
            items = [_parse_model(shape.base, form, f"{key}.{i}.") for i in _repeat_indices(form, key + ".")]
            items = [item for item in items if item]
            if not items and (_constraint(shape.list_metadata, "min_length") or 0) > 0:
                # The first group's required fields (and those of its required groups) each say "Skal udfyldes".
                items = [_parse_model(shape.base, {}, f"{key}.0.")]
            if items or info.is_required():
                out[name] = items
        elif kind == "list":
            texts = [_leaf(_leaf_kind(shape), shape, t) for t in _get_all(form, key) if not _empty(t)]
            if texts:
                out[name] = texts
            elif shape.nullable:
                if not _empty(_get(form, key + NONE_SUFFIX)):
                    out[name] = []
            elif info.is_required():
                out[name] = []
        elif kind == "multiselect":
            chosen = [t.strip() for t in _get_all(form, key) if not _empty(t)]
            if chosen or info.is_required():
                out[name] = chosen
        else:
            text = _get(form, key)
            if not _empty(text):
                out[name] = _leaf(kind, shape, text)  # type: ignore[arg-type]
    return out


def parse_form(model: type[BaseModel], form: FormData, actor: Mapping[str, Any] | BaseModel | None = None,
               exclude: frozenset[str] | set[str] = frozenset({"actor"})) -> dict[str, Any]:
    """The posted inputs as the dict `model.model_validate` takes; the actor comes from the login.

    Empty inputs are left out (the model's default applies, or it says the field must be filled in);
    fields the model does not have (a CSRF token, the button) are ignored."""
    out = _parse_model(model, form, "", exclude)
    if actor is not None and "actor" in model.model_fields:
        out["actor"] = actor.model_dump(mode="json") if isinstance(actor, BaseModel) else dict(actor)
    return out


def refill(model: type[BaseModel], form: FormData) -> dict[str, str | list[str]]:
    """The posted inputs, compacted as `parse_form` reads them: re-render a refused form with these."""
    return to_form(parse_form(model, form), model)


# --- the field specs ----------------------------------------------------------------------------------


def form_for(model: type[BaseModel], values: FormData | None = None,
             exclude: frozenset[str] | set[str] = frozenset({"actor"})) -> list[Field]:
    """The inputs for an action: one `Field` per model field, nested models as groups.

    `values` are form inputs (from `to_form` or `refill`); without them the model's defaults show."""
    return _fields(model, values, "", exclude)


def _fields(model: type[BaseModel], values: FormData | None, prefix: str,
            exclude: frozenset[str] | set[str] = frozenset()) -> list[Field]:
    specs: list[Field] = []
    for name, info in model_fields(model, exclude):
        key = prefix + name
        shape = _shape(info)
        kind = _kind(shape)
        label = label_da(model, name)
        if label is None:
            raise KeyError(f"no Danish label for {model.__name__}.{name} (web/labels.py LABELS_DA)")
        spec = Field(name=key, label=label, kind=kind, required=info.is_required(), help=help_da(model, name))
        if kind == "group":
            spec.children = _fields(shape.base, values, key + ".")
        elif kind == "repeat":
            present = _repeat_indices(values, key + ".") if values else []
            count = (max(present) + 2) if present else 1
            cap = _constraint(shape.list_metadata, "max_length")
            count = min(count, cap) if cap else count
            for i in range(count):
                spec.children.append(Field(name=f"{key}.{i}", label=f"{label} {i + 1}", kind="group", required=False,
                                           children=_fields(shape.base, values, f"{key}.{i}."), index=i))
        else:
            _fill_leaf(spec, info, shape, values)
        specs.append(spec)
    return specs


def _fill_leaf(spec: Field, info: FieldInfo, shape: _Shape, values: FormData | None) -> None:
    kind = spec.kind
    default = None if info.is_required() or info.default_factory is not None else info.default
    if kind == "yesno":
        spec.options = [(TRUE, YES), (FALSE, NO)] + ([("", UNKNOWN)] if shape.nullable else [])
    elif kind == "select":
        empty = [("", NOT_GIVEN)] if shape.nullable else [("", CHOOSE)] if info.is_required() else []
        spec.options = empty + _options(shape.base)
    elif kind == "multiselect":
        spec.options = _options(shape.base)
    elif kind in ("list", "text", "textarea"):
        spec.max_length = _constraint(shape.metadata, "max_length")
        if kind == "list":
            spec.item_kind = _leaf_kind(shape)
            if shape.nullable:
                spec.none_name, spec.none_label = spec.name + NONE_SUFFIX, NONE_KNOWN
    elif kind == "number":
        places = _constraint(shape.metadata, "decimal_places")
        spec.step = "1" if shape.base is int else (f"{10 ** -places:.{places}f}" if places else "any")
        low = _constraint(shape.metadata, "ge")
        low = low if low is not None else _constraint(shape.metadata, "gt")
        high = _constraint(shape.metadata, "le")
        spec.minimum = None if low is None else str(low)
        spec.maximum = None if high is None else str(high)
    elif kind == "datetime":
        spec.minimum = local_input(EARLIEST)
        spec.maximum = local_input(LATEST - timedelta(minutes=1))  # the model's window, in Copenhagen time

    if kind in ("list", "multiselect"):
        typed = [t for t in _get_all(values, spec.name) if not _empty(t)] if values else []
        if kind == "list":
            cap = _constraint(shape.list_metadata, "max_length") or len(typed) + LIST_EMPTY_SLOTS
            slots = max(0, min(LIST_EMPTY_SLOTS, cap - len(typed)))
            spec.value = typed + [""] * slots
        else:
            spec.value = typed
        return
    if values is not None and spec.name in values:
        spec.value = _get(values, spec.name)
    elif kind == "yesno" and shape.nullable:
        spec.value = "" if default is None else _as_str(default)
    elif default is not None:
        spec.value = _as_str(default)


def flat_fields(fields: list[Field]) -> list[Field]:
    """Every input field (groups and repeats opened up)."""
    out: list[Field] = []
    for spec in fields:
        if spec.kind in ("group", "repeat"):
            out.extend(flat_fields(spec.children))
        else:
            out.append(spec)
    return out


# --- errors in Danish -----------------------------------------------------------------------------------


def _walk(model: type[BaseModel], loc: tuple[Any, ...]) -> tuple[str, _Shape | None, int | None]:
    """The HTML name an error location belongs to, the shape of the field there, and, for an item of a list
    of texts or choices (which has no input of its own), the item's index."""
    parts: list[str] = []
    current: type[BaseModel] | None = model
    shape: _Shape | None = None
    for i, part in enumerate(loc):
        if isinstance(part, int) or current is None or part not in current.model_fields:
            parts.append(str(part))
            continue
        shape = _shape(current.model_fields[part])
        parts.append(part)
        if _kind(shape) in ("list", "multiselect"):
            rest = loc[i + 1:]
            return ".".join(parts), shape, (rest[0] if rest and isinstance(rest[0], int) else None)
        current = shape.base if _is_model(shape.base) else None
    return ".".join(parts), shape, None


def _model_at(model: type[BaseModel], loc: tuple[Any, ...]) -> type[BaseModel]:
    current = model
    for part in loc:
        if isinstance(part, int):
            continue
        info = current.model_fields.get(part)
        if info is None:
            break
        shape = _shape(info)
        if not _is_model(shape.base):
            break
        current = shape.base
    return current


def _rule_da(model: type[BaseModel], field_name: str, message: str) -> str:
    names = {cls.__name__ for cls in model.__mro__}
    for rule_model, rule_field, contains, danish in RULES_DA:
        if rule_model in names and rule_field == field_name and contains in message:
            return danish
    return RULE_FALLBACK_DA


def _number_da(value: Any) -> str:
    """A bound as a Dane writes it: 1.000.000, 0, 2,5."""
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    if number == number.to_integral_value():
        return f"{int(number):,}".replace(",", ".")
    return str(number).replace(".", ",")


def _message_da(err: Mapping[str, Any], shape: _Shape | None, kind: str | None) -> str:
    kind_of = err["type"]
    ctx = err.get("ctx") or {}
    if kind_of == "missing":
        return "Skal udfyldes."
    if kind_of == "string_too_short":
        return "Skal udfyldes."
    if kind_of == "too_short":
        return "Angiv mindst én." if ctx.get("min_length") == 1 else f"Angiv mindst {ctx.get('min_length')}."
    if kind_of == "string_too_long":
        return f"For lang: højst {ctx.get('max_length')} tegn."
    if kind_of == "too_long":
        return f"For mange: højst {ctx.get('max_length')}."
    if kind_of in ("int_parsing", "int_from_float", "int_type"):
        return "Skal være et helt tal."
    if kind_of in ("float_parsing", "float_type", "decimal_parsing", "decimal_type", "finite_number"):
        return "Skal være et tal."
    if kind_of == "greater_than_equal":
        return f"Skal være mindst {_number_da(ctx.get('ge'))}."
    if kind_of == "greater_than":
        return f"Skal være større end {_number_da(ctx.get('gt'))}."
    if kind_of in ("less_than_equal", "less_than"):
        return f"Må højst være {_number_da(ctx.get('le', ctx.get('lt')))}."
    if kind_of == "decimal_max_places":
        return f"Højst {ctx.get('decimal_places')} decimaler."
    if kind_of in ("decimal_max_digits", "decimal_whole_digits"):
        return "Beløbet har for mange cifre."
    if kind_of == "timezone_aware":
        return "Tidspunktet findes ikke i dansk tid (uret stilles frem til sommertid); vælg et andet."
    if kind_of.startswith("datetime") or kind_of.startswith("date"):
        return "Ugyldigt tidspunkt." if kind == "datetime" else "Ugyldig dato."
    if kind_of.startswith("bool"):
        return "Vælg Ja eller Nej."
    if kind_of == "enum":
        return "Vælg en af mulighederne."
    if kind_of == "string_pattern_mismatch":
        return ("Må kun indeholde bogstaverne a til z, tal og understregningstegn og må ikke begynde med et tal.")
    if kind_of == "extra_forbidden":
        return "Feltet kendes ikke."
    if kind_of == "value_error":
        text = str(ctx.get("error", err.get("msg", "")))
        if kind == "email" or "email address" in text:
            return "Ugyldig e-mailadresse."
        if "control character" in text:
            return "Indeholder et usynligt styretegn; fjern det."
        if "must lie between" in text:
            return f"Skal ligge mellem {EARLIEST.year} og {LATEST.year - 1}."
    return RULE_FALLBACK_DA


def errors_da(error: ValidationError, model: type[BaseModel]) -> dict[str, str]:
    """Each error in Danish under the HTML name of its input; "" holds what belongs to no single input."""
    out: dict[str, list[str]] = {}

    def add(key: str, message: str) -> None:
        if message not in out.setdefault(key, []):
            out[key].append(message)

    for err in error.errors():
        loc = tuple(err["loc"])
        key, shape, item = _walk(model, loc)
        if err["type"] == "value_error" and (shape is None or _is_model(shape.base)):
            # A model's own rule: its message names the field first ("ended_at: cannot be before ...").
            owner = _model_at(model, loc)
            text = str((err.get("ctx") or {}).get("error", err["msg"]))
            prefix = key + "." if key else ""
            head, sep, _rest = text.partition(":")
            if sep and head in owner.model_fields:
                add(prefix + head, _rule_da(owner, head, text))
            elif "requires:" in text:  # NoRiskDocumentation names the missing fields, comma-separated
                for name in (n.strip() for n in text.rpartition("requires:")[2].split(",")):
                    add(prefix + name if name in owner.model_fields else key, UNAUTHORISED_NEEDS_DA)
            else:
                add(key, RULE_FALLBACK_DA)
            continue
        kind = _kind(shape) if shape is not None else None
        if shape is not None and kind in ("list", "multiselect") and item is not None:
            add(key, f"Punkt {item + 1}: " + _message_da(err, shape, _leaf_kind(shape) if kind == "list" else "select"))
        else:
            add(key, _message_da(err, shape, kind))
    return {key: " ".join(messages) for key, messages in out.items()}
