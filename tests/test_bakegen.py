from __future__ import annotations

import re

import pytest

from benchmarks import bakegen


def test_target_names_sort_in_the_order_they_are_made() -> None:
    names = bakegen.target_names(300)

    assert names[0] == "svc-001"
    assert names[-1] == "svc-300"
    assert sorted(names) == names


@pytest.mark.parametrize("count", [1, 3, 30, 300])
def test_the_bake_file_declares_each_target_once_in_the_default_group(
    count: int,
) -> None:
    text = bakegen.bake_hcl(count)

    declared = re.findall(r'^target "([^"]+)" \{$', text, flags=re.MULTILINE)
    group = re.search(r'group "default" \{\n  targets = \[(.*)\]', text)
    assert declared == bakegen.target_names(count)
    assert group is not None
    assert re.findall(r'"([^"]+)"', group.group(1)) == declared


def test_the_bake_file_tags_each_target_from_the_registry_and_tag_variables() -> None:
    text = bakegen.bake_hcl(3)

    assert 'tags    = ["${REGISTRY}/svc-2:${TAG}"]' in text
    assert 'variable "REGISTRY"' in text
    assert 'variable "TAG"' in text


@pytest.mark.parametrize("count", [3, 300])
def test_the_print_json_resolves_every_target_with_its_tag(count: int) -> None:
    resolved = bakegen.bake_print(count, "reg/ns", "7")

    names = bakegen.target_names(count)
    assert resolved["group"]["default"]["targets"] == names
    assert list(resolved["target"]) == names
    assert resolved["target"][names[-1]] == {
        "context": f"services/{names[-1]}",
        "dockerfile": "Dockerfile",
        "tags": [f"reg/ns/{names[-1]}:7"],
    }
