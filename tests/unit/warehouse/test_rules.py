"""The rules file: the packaged default, and one-line errors for bad files."""

from __future__ import annotations

from pathlib import Path

import pytest

from warehouse.ruleset import (
    DEVELOPMENT_COMPONENTS,
    PARTY_COMPONENTS,
    Band,
    RulesError,
    load_rules,
    packaged_rules_path,
)


def test_default_rules_are_the_2018_rules() -> None:
    r = load_rules()
    assert r.version == "2018"
    assert Path(r.source).name == "2018.toml"
    assert (r.complete_units_only, r.rounding, r.investment_basis) == (
        True, 2, "annual_plan_elapsed",
    )  # fmt: skip
    assert r.party_weights == load_rules(Path("2017")).party_weights


def test_2017_rules_by_version_name_or_path() -> None:
    r = load_rules(Path("2017"))
    assert r == load_rules(packaged_rules_path("2017"))
    assert (r.version, r.complete_units_only, r.rounding, r.investment_basis) == (
        "2017", False, None, "total_plan",
    )  # fmt: skip


def test_an_old_rules_file_without_the_2018_settings_means_2017(tmp_path: Path) -> None:
    body = packaged_rules_path("2017").read_text(encoding="utf-8")
    body = body.replace("[scoring]\ncomplete_units_only = false\n", "")
    body = body.replace('investment_basis = "total_plan"', "")
    path = tmp_path / "old.toml"
    path.write_text(body, encoding="utf-8")
    r = load_rules(path)
    assert (r.complete_units_only, r.rounding, r.investment_basis) == (False, None, "total_plan")


@pytest.mark.parametrize("version", ["2017", "2018"])
def test_packaged_rules_share_weights_and_lines(version: str) -> None:
    r = load_rules(packaged_rules_path(version))
    assert r.party_weights == {
        "checklist": 40, "supervision": 10, "theme_days": 10, "list_published": 10,
        "secretary_projects": 20, "project_party_orgs": 10,
    }  # fmt: skip
    assert r.development_weights == {"growth": 40, "income": 30, "collective": 30, "investment": 30}
    assert tuple(r.party_weights) == PARTY_COMPONENTS
    assert tuple(r.development_weights) == DEVELOPMENT_COMPONENTS
    assert (r.weak_income_line, r.weak_party_line) == (18.0, 60.0)
    assert r.coefficient_method == "linear"
    assert r.bands[0] == Band(0.0, 0.6)
    assert r.coefficient(72.0) == pytest.approx(0.72)


def write(tmp_path: Path, old: str, new: str) -> Path:
    text = load_rules().source
    body = Path(text).read_text(encoding="utf-8")
    assert old in body
    path = tmp_path / "rules.toml"
    path.write_text(body.replace(old, new), encoding="utf-8")
    return path


def test_banded_rules(tmp_path: Path) -> None:
    r = load_rules(write(tmp_path, 'method = "linear"', 'method = "banded"'))
    assert r.coefficient_method == "banded"
    assert [r.coefficient(p) for p in (0, 59.9, 60, 85, 100)] == [0.6, 0.6, 0.8, 0.9, 1.0]


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("checklist = 40", "checklist = -1", "party.weights.checklist must be ≥ 0"),
        ("checklist = 40", 'checklist = "forty"', "party.weights.checklist must be a number"),
        ("checklist = 40", "checklst = 40", "party.weights.checklst is not a known setting"),
        ('version = "2018"', "", "version must be a non-empty string"),
        ("rounding = 2", "rounding = 2.5", "scoring.rounding must be a whole number"),
        ("rounding = 2", "rounding = 9", "scoring.rounding must be a whole number"),
        (
            "complete_units_only = true",
            'complete_units_only = "yes"',
            "scoring.complete_units_only must be true or false",
        ),
        (
            'investment_basis = "annual_plan_elapsed"',
            'investment_basis = "annual"',
            "development.investment_basis must be one of",
        ),
        ("[scoring]", "[scorng]", "scorng is not a known setting"),
        ("income_line = 18.0", "", "weak_village.income_line is missing"),
        ('method = "linear"', 'method = "steps"', "coefficient.method must be one of"),
        ("{ lower = 0, coefficient = 0.6 },", "", "must include a band with lower = 0"),
        ("lower = 80", "lower = 60", "the same lower bound twice"),
        ("[weak_village]", "[weak_village", "is not valid TOML"),
    ],
)
def test_bad_rules_are_one_line_errors(tmp_path: Path, old: str, new: str, message: str) -> None:
    with pytest.raises(RulesError, match=message) as info:
        load_rules(write(tmp_path, old, new))
    assert len(str(info.value).splitlines()) == 1


def test_missing_rules_file(tmp_path: Path) -> None:
    with pytest.raises(RulesError, match="rules file not found"):
        load_rules(tmp_path / "nope.toml")
