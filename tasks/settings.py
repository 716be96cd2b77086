"""A ``luigi.Config`` section derived from a stage's settings dataclass.

A stage's settings live once, in a frozen dataclass of its domain module: each field
with its default and ``metadata={"unit": ..., "help": ...}``. :func:`config_section`
turns it into the Luigi section, one Parameter per field (so each field is a
``[section] option`` and a ``--section-option`` flag), and ``section().settings()``
gives the dataclass back, built from the parsed values. A field that is itself a
dataclass (the backtest's ``CostModel``) contributes its fields as options.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import sys
import types
import typing
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import luigi


class OptionalDateParameter(luigi.parameter.OptionalParameterMixin, luigi.DateParameter):
    """A date, or None when empty (Luigi has no such parameter)."""

    expected_type = dt.date


#: Parameter class per field type, and per optional (``X | None``) field type.
PARAMETERS: dict[type, type[luigi.Parameter]] = {
    bool: luigi.BoolParameter, int: luigi.IntParameter, float: luigi.FloatParameter,
    str: luigi.Parameter, dt.date: luigi.DateParameter, Path: luigi.PathParameter}
OPTIONAL_PARAMETERS: dict[type, type[luigi.Parameter]] = {
    bool: luigi.OptionalBoolParameter, int: luigi.OptionalIntParameter,
    float: luigi.OptionalFloatParameter, str: luigi.OptionalParameter,
    dt.date: OptionalDateParameter, Path: luigi.OptionalPathParameter}


def setting_fields(settings_class: type) -> Iterator[tuple[dataclasses.Field, Any]]:
    """Each option of ``settings_class`` with its resolved type, nested dataclasses
    flattened into their own fields."""
    hints = typing.get_type_hints(settings_class)
    for item in dataclasses.fields(settings_class):
        kind = hints[item.name]
        if dataclasses.is_dataclass(kind):
            yield from setting_fields(kind)
        else:
            yield item, kind


def field_default(item: dataclasses.Field) -> Any:
    if item.default is not dataclasses.MISSING:
        return item.default
    if item.default_factory is not dataclasses.MISSING:
        return item.default_factory()
    raise TypeError(f"setting {item.name}: a setting needs a default")


def parameter(item: dataclasses.Field, kind: Any) -> luigi.Parameter:
    """The Luigi Parameter of one dataclass field: its type decides the class, its
    default and ``metadata`` (``help``, ``unit``) the default and description."""
    help_text = item.metadata.get("help")
    if not help_text:
        raise TypeError(f"setting {item.name}: metadata needs a 'help' text")
    unit = item.metadata.get("unit")
    options = {"default": field_default(item),
               "description": f"{help_text} [{unit}]" if unit else help_text}
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if origin is typing.Literal:
        return luigi.ChoiceParameter(choices=args, **options)
    if origin is tuple or kind is tuple:
        return luigi.ListParameter(**options)
    if kind is dict or origin in (dict, Mapping):
        return luigi.DictParameter(**options)
    if origin in (typing.Union, types.UnionType) and type(None) in args:
        (inner,) = (arg for arg in args if arg is not type(None))
        return OPTIONAL_PARAMETERS[inner](**options)
    if kind in PARAMETERS:
        return PARAMETERS[kind](**options)
    raise TypeError(f"setting {item.name}: no Luigi parameter for type {kind}")


def build(settings_class: type, values: Mapping[str, Any]) -> Any:
    """``settings_class`` from parsed option values (Luigi's frozen lists and dicts made
    tuples and dicts again)."""
    hints = typing.get_type_hints(settings_class)
    arguments = {}
    for item in dataclasses.fields(settings_class):
        kind = hints[item.name]
        if dataclasses.is_dataclass(kind):
            arguments[item.name] = build(kind, values)
        else:
            value = values[item.name]
            arguments[item.name] = dict(value) if isinstance(value, Mapping) else value
    return settings_class(**arguments)


def settings(self: luigi.Config) -> Any:
    """The section's values as its settings dataclass (checked by it)."""
    return build(self.settings_class, self.param_kwargs)


def config_section(name: str, settings_class: type) -> type[luigi.Config]:
    """The ``luigi.Config`` section ``name`` (the ``[name]`` of luigi.cfg, the ``--name-``
    of flags) with one Parameter per setting of ``settings_class``."""
    options = [option for option, _ in setting_fields(settings_class)]
    repeated = sorted({o.name for o in options if [p.name for p in options].count(o.name) > 1})
    if repeated:
        raise TypeError(f"[{name}]: options {repeated} are defined twice in {settings_class}")
    namespace: dict[str, Any] = {
        option.name: parameter(option, kind) for option, kind in setting_fields(settings_class)}
    namespace.update(
        __doc__=settings_class.__doc__, settings_class=settings_class, settings=settings,
        # Where the section is declared, so it pickles and reads as declared there.
        __module__=sys._getframe(1).f_globals["__name__"], __qualname__=name)
    return types.new_class(name, (luigi.Config,), exec_body=lambda ns: ns.update(namespace))
