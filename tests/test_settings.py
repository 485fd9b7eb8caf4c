from __future__ import annotations

import pytest

from stack_tasks import settings
from stack_tasks.errors import StackError


@pytest.mark.parametrize(
    ("value", "items"),
    [
        ("linux/amd64,linux/arm64", ("linux/amd64", "linux/arm64")),
        (" linux/amd64 , ", ("linux/amd64",)),
        (
            ["linux/amd64", "linux/arm64,linux/s390x"],
            ("linux/amd64", "linux/arm64", "linux/s390x"),
        ),
        (None, ()),
    ],
    ids=["comma string", "spaces and a trailing comma", "yaml list", "unset"],
)
def test_list_settings_read_comma_strings_and_lists(
    value: object, items: tuple[str, ...]
) -> None:
    assert settings.as_list(value, "platforms") == items


def test_a_list_setting_of_another_type_is_a_clear_error() -> None:
    with pytest.raises(StackError, match=r"stack\.platforms must be"):
        settings.as_list(3, "platforms")


@pytest.mark.parametrize("value", ["0", "-1", "soon", None])
def test_a_timeout_must_be_a_positive_number(value: object) -> None:
    with pytest.raises(StackError, match="positive number of seconds"):
        settings.as_seconds(value, "probe_timeout")


def test_a_flag_beats_config_and_an_empty_flag_does_not() -> None:
    assert settings.pick("flag", "config") == "flag"
    assert settings.pick(None, "config") == "config"
    assert settings.pick([], "config") == "config"


def test_config_keys_map_to_distinct_environment_variables() -> None:
    names = [f"INVOKE_STACK_{key.upper()}" for key in settings.DEFAULTS]

    assert len(set(names)) == len(names)
    assert not any(isinstance(v, (list, tuple)) for v in settings.DEFAULTS.values())
