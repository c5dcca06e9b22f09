"""Token prices by model name, and what one generation cost.

The table ships as `prices.toml` beside this module. `HARNESS_PRICES` (or an explicit path) names
another TOML file of the same shape whose entries are layered over the shipped ones, so a team adds
its own models or negotiated prices without copying the whole table. A model with no price gets
no cost: a missing number is honest, a guessed one would end up in reports.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from harness.backends.base import BackendError, Usage

PRICES_ENV = "HARNESS_PRICES"
_SHIPPED_TABLE = "prices.toml"
# OpenAI answers with (and accepts) dated snapshots such as gpt-4o-mini-2024-07-18.
_DATED_SNAPSHOT = re.compile(r"-\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class ModelPrice:
    input_per_million: float
    output_per_million: float

    def cost_usd(self, usage: Usage) -> float:
        cost = (usage.prompt_tokens * self.input_per_million
                + usage.completion_tokens * self.output_per_million) / 1_000_000
        # Float noise (0.00027000000000000006) would show in reports; a tenth of a nano-dollar is plenty.
        return round(cost, 10)


def load_prices(path: str | Path | None = None) -> dict[str, ModelPrice]:
    """The shipped table, with `path` (or the file named by HARNESS_PRICES) layered over it."""
    shipped = resources.files("harness.backends").joinpath(_SHIPPED_TABLE).read_text(encoding="utf-8")
    prices = parse_prices(_read_toml(shipped, _SHIPPED_TABLE), _SHIPPED_TABLE)
    override = path or os.environ.get(PRICES_ENV)
    if override:
        prices.update(parse_prices(_read_toml_file(Path(override)), str(override)))
    return prices


def parse_prices(table: dict, source: str) -> dict[str, ModelPrice]:
    """Validate a {model: {input_per_million, output_per_million}} table; `source` names it in errors."""
    prices = {}
    for model, entry in table.items():
        if isinstance(entry, ModelPrice):
            prices[model] = entry
            continue
        if not isinstance(entry, dict) or set(entry) != {"input_per_million", "output_per_million"}:
            raise BackendError(
                f"{source}: price of {model!r} must have exactly input_per_million and output_per_million"
            )
        values = entry["input_per_million"], entry["output_per_million"]
        if not all(isinstance(v, int | float) and not isinstance(v, bool) and v >= 0 for v in values):
            raise BackendError(f"{source}: prices of {model!r} must be numbers >= 0 (USD per million)")
        prices[model] = ModelPrice(float(values[0]), float(values[1]))
    return prices


def price_for(model: str, prices: dict[str, ModelPrice]) -> ModelPrice | None:
    """The price of `model`: exact name, then ignoring case, then without a dated-snapshot suffix."""
    by_lower_name = {name.lower(): price for name, price in prices.items()}
    for candidate in (model, _DATED_SNAPSHOT.sub("", model)):
        if candidate in prices:
            return prices[candidate]
        if candidate.lower() in by_lower_name:
            return by_lower_name[candidate.lower()]
    return None


def _read_toml_file(path: Path) -> dict:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise BackendError(f"{path}: cannot read the price table: {exc.strerror}") from None
    return _read_toml(text, str(path))


def _read_toml(text: str, source: str) -> dict:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise BackendError(f"{source}: the price table is not valid TOML: {exc}") from None
