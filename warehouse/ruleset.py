"""The scoring rules (CONTRACT §4) as a versioned TOML data file.

Two versions ship in ``warehouse/rules/``: ``2018.toml`` (the default) and ``2017.toml``.
``ronghe run/backfill --rules FILE`` picks another file; a bare version name such as
``--rules 2017`` picks the packaged file of that version. :func:`load_rules` reads and
validates a file into a typed :class:`Rules`; anything wrong raises :class:`RulesError`
with a one-line message that names the file and the setting. Every number has bounds
(:data:`BOUNDS`: a weight 0…1000, a line or a threshold in its own range, always
finite), so that what passes here never fails a run later (a weight of ``1e308``
overflowed the marts' cast); a file nested too deeply or with a number too long to
read is named as such, never in Python's words.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Literal, NoReturn

from transforms.scanned import read_small
from warehouse.round_rules import RoundSettings, parse_round

CoefficientMethod = Literal["linear", "banded"]
InvestmentBasis = Literal["total_plan", "annual_plan_elapsed"]

# Component names, in the order of CONTRACT §4.
PARTY_COMPONENTS: tuple[str, ...] = (
    "checklist",
    "supervision",
    "theme_days",
    "list_published",
    "secretary_projects",
    "project_party_orgs",
)
DEVELOPMENT_COMPONENTS: tuple[str, ...] = ("growth", "income", "collective", "investment")
COEFFICIENT_METHODS: tuple[str, ...] = ("linear", "banded")
# investment (CONTRACT §4): "total_plan" (2017) Σ completed / Σ planned_investment;
# "annual_plan_elapsed" (2018) Σ completed / (Σ annual plan × q / 4), 序时进度.
INVESTMENT_BASES: tuple[str, ...] = ("total_plan", "annual_plan_elapsed")
DEFAULT_VERSION = "2018"
DEFAULT_RULES = f"{DEFAULT_VERSION}.toml"
MAX_ROUNDING = 6
MAX_WEIGHT = 1000.0
BOUNDS: dict[str, tuple[float, float]] = {
    "weight": (0.0, MAX_WEIGHT),
    "party.supervisions_expected": (0.0, 100.0),  # and > 0
    "weak_village.income_line": (0.0, 1_000_000.0),  # 万元 a year
    "weak_village.party_score_line": (0.0, 100.0),
    "band.lower": (0.0, 100.0),
    "band.coefficient": (0.0, 10.0),
}
"""The range of each number of a rules file (inclusive)."""


class RulesError(ValueError):
    """A rules file that cannot be read or does not hold valid rules."""


@dataclass(frozen=True)
class Band:
    """One row of the banded coefficient table: P ≥ ``lower`` gives ``coefficient``."""

    lower: float
    coefficient: float


@dataclass(frozen=True)
class Rules:
    """Weights, thresholds and the coefficient method of one rules version."""

    version: str
    party_weights: dict[str, float]  # key: each of PARTY_COMPONENTS
    development_weights: dict[str, float]  # key: each of DEVELOPMENT_COMPONENTS
    supervisions_expected: float = 1.0
    weak_income_line: float = 18.0  # 万元, annualised collective income
    weak_party_line: float = 60.0  # party score
    coefficient_method: CoefficientMethod = "linear"
    bands: tuple[Band, ...] = ()  # sorted by lower bound, the first at 0
    # The defaults below are the 2017 behaviour, so an older rules file keeps its meaning.
    complete_units_only: bool = False  # C, F, quadrants, ranks, medians: complete units only
    rounding: int | None = None  # decimals of P, D and C (half away from zero); None: none
    investment_basis: InvestmentBasis = "total_plan"
    description: str = ""
    source: str = ""  # where the rules were read from
    # [round] and [review] (CONTRACT §9): deadlines, correction window, review flags
    filing_round: RoundSettings = field(default_factory=RoundSettings)
    # [approval] (CONTRACT §11): scores count only approved reports of the portal
    approval_required: bool = False

    def coefficient(self, party_score: float) -> float:
        """k = f(P) as the marts compute it (for reports and tests)."""
        if self.coefficient_method == "linear":
            return party_score / 100.0
        return max(
            (b for b in self.bands if b.lower <= party_score), key=lambda b: b.lower
        ).coefficient


def packaged_rules_path(version: str) -> Path:
    """The packaged rules file of a version, e.g. ``2017`` → ``warehouse/rules/2017.toml``."""
    return Path(str(resources.files("warehouse") / "rules" / f"{version}.toml"))


def default_rules_path() -> Path:
    """The packaged default rules file (the 2018 rules)."""
    return packaged_rules_path(DEFAULT_VERSION)


def load_rules(path: Path | None = None) -> Rules:
    """Read and validate a rules file (default: the packaged 2018 rules).

    A path that does not exist but names a packaged version (``2017``) loads that file.
    """
    where = path if path is not None else default_rules_path()
    if (
        not Path(where).exists()
        and Path(where).name == str(where)
        and packaged_rules_path(str(where)).is_file()
    ):
        where = packaged_rules_path(str(where))
    try:
        text = read_small(where).decode("utf-8")
    except FileNotFoundError as exc:
        raise RulesError(f"rules file not found: {where}") from exc
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise RulesError(f"cannot read rules file {where}: {exc}") from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RulesError(f"rules file {where} is not valid TOML: {exc}") from exc
    except RecursionError:  # 5,000 nested arrays
        raise RulesError(f"rules file {where} is not valid TOML: nested too deeply") from None
    except ValueError:  # a number of more than 4,300 digits
        raise RulesError(f"rules file {where} is not valid TOML: a number too long") from None
    return parse_rules(data, source=str(where))


def parse_rules(data: dict[str, Any], source: str = "<rules>") -> Rules:
    """Validate the parsed TOML of a rules file into :class:`Rules`."""
    p = _Parser(source)
    p.keys(
        data,
        "",
        {
            "version",
            "description",
            "scoring",
            "party",
            "development",
            "weak_village",
            "coefficient",
            "round",
            "review",
            "approval",
        },
    )
    version = data.get("version")
    if not isinstance(version, str) or not version.strip():
        p.fail("version", 'must be a non-empty string, e.g. version = "2017"')
    if len(version) > 40 or not version.isprintable():
        p.fail("version", "must be at most 40 printable characters")
    description = data.get("description", "")
    if not isinstance(description, str) or len(description) > 1000:
        p.fail("description", "must be a string of at most 1,000 characters")

    party = p.table(data, "party")
    p.keys(party, "party", {"weights", "supervisions_expected"})
    party_weights = p.weights(party, "party.weights", PARTY_COMPONENTS)
    expected = p.number(
        party, "party.supervisions_expected", default=1.0, bounds="party.supervisions_expected"
    )
    if expected <= 0:
        p.fail("party.supervisions_expected", f"must be > 0, got {expected}")

    scoring = p.table(data, "scoring", required=False)
    p.keys(scoring, "scoring", {"complete_units_only", "rounding"})
    complete_only = p.boolean(scoring, "scoring.complete_units_only", default=False)
    rounding = scoring.get("rounding")
    if rounding is not None and (
        isinstance(rounding, bool)
        or not isinstance(rounding, int)
        or not 0 <= rounding <= MAX_ROUNDING
    ):
        p.fail(
            "scoring.rounding",
            f"must be a whole number of decimals 0…{MAX_ROUNDING}, got {rounding!r}",
        )

    development = p.table(data, "development")
    p.keys(development, "development", {"weights", "investment_basis"})
    development_weights = p.weights(development, "development.weights", DEVELOPMENT_COMPONENTS)
    basis = development.get("investment_basis", "total_plan")
    if basis not in INVESTMENT_BASES:
        p.fail(
            "development.investment_basis",
            f"must be one of {', '.join(INVESTMENT_BASES)}, got {basis!r}",
        )

    weak = p.table(data, "weak_village")
    p.keys(weak, "weak_village", {"income_line", "party_score_line"})
    income_line = p.number(weak, "weak_village.income_line", bounds="weak_village.income_line")
    party_line = p.number(
        weak, "weak_village.party_score_line", bounds="weak_village.party_score_line"
    )

    coef = p.table(data, "coefficient", required=False)
    p.keys(coef, "coefficient", {"method", "bands"})
    method = coef.get("method", "linear")
    if method not in COEFFICIENT_METHODS:
        p.fail(
            "coefficient.method", f"must be one of {', '.join(COEFFICIENT_METHODS)}, got {method!r}"
        )
    bands = p.bands(coef, required=method == "banded")

    approval = p.table(data, "approval", required=False)
    p.keys(approval, "approval", {"required"})
    approval_required = p.boolean(approval, "approval.required", False)

    return Rules(
        version=str(version).strip(),
        party_weights=party_weights,
        development_weights=development_weights,
        supervisions_expected=expected,
        weak_income_line=income_line,
        weak_party_line=party_line,
        coefficient_method=method,
        bands=bands,
        complete_units_only=complete_only,
        rounding=rounding,
        investment_basis=basis,
        description=description,
        source=source,
        filing_round=parse_round(data, p.fail),
        approval_required=approval_required,
    )


def shown(value: object) -> str:
    """A value as a message shows it: at most 40 characters (a 400-digit number is cut)."""
    text = repr(value)
    return text if len(text) <= 40 else f"{text[:37]}… ({len(text)} characters)"


class _Parser:
    """Small helpers that raise :class:`RulesError` naming the file and the setting."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, key: str, message: str) -> NoReturn:
        raise RulesError(f"rules file {self.source}: {key} {message}")

    def keys(self, table: dict[str, Any], where: str, allowed: set[str]) -> None:
        unknown = sorted(set(table) - allowed)
        if unknown:
            name = f"{where}.{unknown[0]}" if where else unknown[0]
            self.fail(name, f"is not a known setting (known: {', '.join(sorted(allowed))})")

    def table(self, data: dict[str, Any], key: str, required: bool = True) -> dict[str, Any]:
        value = data.get(key)
        if value is None and not required:
            return {}
        if not isinstance(value, dict):
            self.fail(f"[{key}]", "is missing or not a table")
        return value

    def number(
        self,
        table: dict[str, Any],
        key: str,
        default: float | None = None,
        bounds: str | None = None,
    ) -> float:
        """A finite number ≥ 0, within ``BOUNDS[bounds]`` when given."""
        value = table.get(key.rsplit(".", 1)[-1], default)
        if value is None:
            self.fail(key, "is missing")
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.fail(key, f"must be a number, got {shown(value)}")
        low, high = BOUNDS[bounds] if bounds else (0.0, math.inf)
        if isinstance(value, int) and abs(value) > 10**15:  # no float holds it exactly
            self.fail(key, f"must be between {low:g} and {high:g}, got {shown(value)}")
        if not math.isfinite(value):
            self.fail(key, f"must be a finite number, got {shown(value)}")
        if value < 0:
            self.fail(key, f"must be ≥ 0, got {shown(value)}")
        if not low <= value <= high:
            self.fail(key, f"must be between {low:g} and {high:g}, got {shown(value)}")
        return float(value)

    def boolean(self, table: dict[str, Any], key: str, default: bool) -> bool:
        value = table.get(key.rsplit(".", 1)[-1], default)
        if not isinstance(value, bool):
            self.fail(key, f"must be true or false, got {value!r}")
        return value

    def weights(self, parent: dict[str, Any], key: str, names: tuple[str, ...]) -> dict[str, float]:
        table = self.table(parent, key.rsplit(".", 1)[-1])
        self.keys(table, key, set(names))
        out = {name: self.number(table, f"{key}.{name}", bounds="weight") for name in names}
        if not any(w > 0 for w in out.values()):
            self.fail(key, "must give at least one component a weight > 0")
        return out

    def bands(self, coef: dict[str, Any], required: bool) -> tuple[Band, ...]:
        raw = coef.get("bands")
        if raw is None:
            if required:
                self.fail("coefficient.bands", 'is required when method = "banded"')
            return ()
        if not isinstance(raw, list) or not raw:
            self.fail("coefficient.bands", "must be a non-empty list of {lower, coefficient}")
        bands: list[Band] = []
        for i, item in enumerate(raw, start=1):
            where = f"coefficient.bands[{i}]"
            if not isinstance(item, dict):
                self.fail(where, "must be a table like { lower = 60, coefficient = 0.8 }")
            self.keys(item, where, {"lower", "coefficient"})
            lower = self.number(item, f"{where}.lower", bounds="band.lower")
            coefficient = self.number(item, f"{where}.coefficient", bounds="band.coefficient")
            bands.append(Band(lower, coefficient))
        lowers = [b.lower for b in bands]
        if len(set(lowers)) != len(lowers):
            self.fail("coefficient.bands", "has the same lower bound twice")
        if 0.0 not in lowers:
            self.fail("coefficient.bands", "must include a band with lower = 0")
        return tuple(sorted(bands, key=lambda b: b.lower))
