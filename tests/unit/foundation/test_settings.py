"""Every setting has one home: a default, a description and exactly one definition.

A stage's settings are a frozen dataclass (``momentum_pipeline``); ``tasks.config``
derives its Luigi section from it, so a new field is a new flag by itself.
"""

from __future__ import annotations

import configparser
import dataclasses
import datetime as dt
import importlib
import pkgutil
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

import luigi
import pytest
from luigi.cmdline_parser import CmdlineParser
from luigi.task_register import Register

import tasks.config
from tasks.base import section_values
from tasks.settings import config_section, field_default, setting_fields
from tests.conftest import REPO

SECTIONS = {name: section for name, section in vars(tasks.config).items()
            if isinstance(section, type) and issubclass(section, luigi.Config)
            and section.__module__ == tasks.config.__name__}
DERIVED = {name: section for name, section in SECTIONS.items()
           if hasattr(section, "settings_class")}
OPTIONS = [(name, option, parameter) for name, section in SECTIONS.items()
           for option, parameter in section.get_params()]


def serialized(parameter: luigi.Parameter, value: object) -> str | None:
    return None if value is None else parameter.serialize(parameter.normalize(value))


def test_sections_when_listed_then_every_stage_with_a_dataclass_is_derived_from_it():
    assert set(SECTIONS) >= {"paths", "data", "universe", "signals", "report", "alerts",
                             "execution"}
    assert set(DERIVED) >= {"validation", "metrics", "features", "model", "backtest"}


@pytest.mark.parametrize(("section", "option", "parameter"), OPTIONS,
                         ids=[f"{s}.{o}" for s, o, _ in OPTIONS])
def test_option_when_declared_then_it_has_a_default_and_a_description(section, option,
                                                                      parameter):
    assert parameter._default is not luigi.parameter._no_value, f"[{section}] {option}"
    assert parameter.description and parameter.description.strip(), f"[{section}] {option}"


@pytest.mark.parametrize("name", sorted(DERIVED))
def test_derived_section_when_read_then_its_options_are_the_dataclass_fields_and_defaults(name):
    section = DERIVED[name]
    fields = {item.name: item for item, _ in setting_fields(section.settings_class)}
    params = dict(section.get_params())
    assert set(params) == set(fields)
    for option, parameter in params.items():
        assert (serialized(parameter, parameter._default)
                == serialized(parameter, field_default(fields[option]))), option
    # With no option set, the settings are the dataclass's own defaults.
    assert section().settings() == section.settings_class()


def domain_dataclasses(settings_class: type) -> list[type]:
    """Every dataclass of the package that holds ``settings_class`` (its top-level
    modules only for ``momentum_pipeline`` itself)."""
    package = importlib.import_module(settings_class.__module__.rsplit(".", 1)[0])
    found = {}
    for module in pkgutil.iter_modules(package.__path__, f"{package.__name__}."):
        if module.ispkg:
            continue
        for value in vars(importlib.import_module(module.name)).values():
            if dataclasses.is_dataclass(value) and isinstance(value, type):
                found[value] = None
    return list(found)


def settings_classes(settings_class: type) -> set[type]:
    """``settings_class`` and the dataclasses nested in it: the homes of settings."""
    nested = [kind for kind in typing.get_type_hints(settings_class).values()
              if dataclasses.is_dataclass(kind)]
    return {settings_class}.union(*map(settings_classes, nested))


@pytest.mark.parametrize("name", sorted(DERIVED))
def test_derived_section_when_domain_dataclasses_read_then_no_second_default(name):
    """A dataclass built from the settings (``ForestSettings``, ``BacktestConfig``) takes
    their values: it repeats none of their defaults."""
    settings_class = DERIVED[name].settings_class
    homes = {item.name: item for item, _ in setting_fields(settings_class)}
    others = set().union(*(settings_classes(s.settings_class) for s in DERIVED.values()))
    for other in set(domain_dataclasses(settings_class)) - others:
        for item in dataclasses.fields(other):
            home = homes.get(item.name)
            if home is None or item is home:
                continue
            has_default = (item.default is not dataclasses.MISSING
                           or item.default_factory is not dataclasses.MISSING)
            assert not (has_default and field_default(item) == field_default(home)), (
                f"[{name}] {item.name}: default {field_default(item)!r} again in "
                f"{other.__module__}.{other.__qualname__}")


def test_luigi_cfg_when_read_then_it_repeats_no_default():
    config = configparser.ConfigParser(interpolation=None)
    config.read(REPO / "luigi.cfg")
    checked = set(SECTIONS)
    repeated = [f"[{name}] {option}" for name in config.sections() if name in checked
                for option, parameter in SECTIONS[name].get_params()
                if config.has_option(name, option)
                and serialized(parameter, parameter.parse(config.get(name, option)))
                == serialized(parameter, parameter._default)]
    assert not repeated, f"luigi.cfg repeats defaults of tasks/config.py: {repeated}"


@dataclasses.dataclass(frozen=True)
class Nested:
    """A nested group of settings: its fields are options of the section too."""

    fee: float = dataclasses.field(default=0.5, metadata={"unit": "dollars", "help": "Fee."})


@dataclasses.dataclass(frozen=True)
class ThrowawayStage:
    """A stage that exists only in this test."""

    window: int = dataclasses.field(default=14, metadata={"unit": "sessions",
                                                          "help": "A window."})
    lags: tuple[int, ...] = dataclasses.field(default=(1, 2), metadata={"help": "Lags."})
    mode: Literal["fast", "slow"] = dataclasses.field(default="fast",
                                                      metadata={"help": "Mode."})
    start: dt.date = dataclasses.field(default=dt.date(2020, 1, 2),
                                       metadata={"help": "Start."})
    end: dt.date | None = dataclasses.field(default=None, metadata={"help": "End."})
    enabled: bool = dataclasses.field(default=False, metadata={"help": "Switch."})
    folder: Path = dataclasses.field(default=Path("x"), metadata={"help": "Folder."})
    label: str = dataclasses.field(default="a", metadata={"help": "Label."})
    levels: Mapping[str, str] = dataclasses.field(default_factory=dict,
                                                  metadata={"help": "Levels."})
    nested: Nested = dataclasses.field(default_factory=Nested)


throwaway_stage = config_section("throwaway_stage", ThrowawayStage)


@pytest.fixture
def fresh_instances():
    Register.clear_instance_cache()
    section_values.cache_clear()
    yield
    Register.clear_instance_cache()
    section_values.cache_clear()


def test_derived_section_when_a_field_is_added_then_it_is_a_flag(fresh_instances):
    flags = ["ValidatePrices", "--ticker", "X", "--date", "2024-01-02",
             "--throwaway-stage-window", "7", "--throwaway-stage-lags", "[3, 4]",
             "--throwaway-stage-mode", "slow", "--throwaway-stage-end", "2024-06-28",
             "--throwaway-stage-enabled", "--throwaway-stage-folder", "y",
             "--throwaway-stage-levels", '{"a": "b"}', "--throwaway-stage-fee", "1.5"]
    with CmdlineParser.global_instance(flags):
        settings = throwaway_stage().settings()
    assert settings == ThrowawayStage(window=7, lags=(3, 4), mode="slow",
                                      end=dt.date(2024, 6, 28), enabled=True,
                                      folder=Path("y"), levels={"a": "b"},
                                      nested=Nested(fee=1.5))
    assert type(settings.levels) is dict


def test_derived_section_when_described_then_help_and_unit_make_the_description():
    params = dict(throwaway_stage.get_params())
    assert params["window"].description == "A window. [sessions]"
    assert params["fee"].description == "Fee. [dollars]"
    assert throwaway_stage.__module__ == __name__ and throwaway_stage.__name__ == "throwaway_stage"


def test_derived_section_when_a_config_value_changes_then_its_key_values_change(
        pipeline_config, fresh_instances):
    before = section_values(throwaway_stage)
    pipeline_config.set("throwaway_stage", "window", 21)
    assert throwaway_stage().settings().window == 21
    assert section_values(throwaway_stage) != before


def test_config_section_when_a_field_has_no_help_then_refused():
    @dataclasses.dataclass(frozen=True)
    class Undocumented:
        window: int = 3

    with pytest.raises(TypeError, match="window: metadata needs a 'help' text"):
        config_section("undocumented_stage", Undocumented)
