"""Seeded generator of georisk's bundled SYNTHETIC sample.

Re-run it to rewrite the shipped files byte for byte::

    python tools/make_sample.py            # writes into src/georisk/datasets/data/
    python tools/make_sample.py --out DIR  # writes elsewhere

The sample is synthetic: prices are simulated, articles are composed from phrase banks
written for georisk. It is for demonstrations and tests, not for research or trading.

Model (documented in ``data/PROVENANCE.md``)
-------------------------------------------
A latent geopolitical state ``z`` evolves on calendar days as an AR(1) with occasional
jumps. Each instrument of sleeve ``k`` earns, per calendar day,

    r = beta_i * m + L_k * sum_j a_j * dz_{t-j} + eps

where ``m`` is a market factor (weekdays only), ``dz`` the change of ``z``, ``L_k`` the
sleeve's documented loading (:data:`georisk.datasets.LOADINGS`) and ``a`` a short response kernel
(:data:`RESPONSE_KERNEL`): markets take a few days to absorb news. Daily returns are
compounded over each instrument's own exchange sessions.

Articles arrive as a Poisson stream whose daily intensity rises with the size of the
day's change of ``z`` (:data:`BASE_ARTICLES_PER_DAY` + :data:`ATTENTION` * abs(dz)). Each relevant
article is hawkish with probability ``sigmoid(TILT * z)`` at its publication time,
else peaceful; some carry both forces; some are off-topic (sport, film, price wars).
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd

from georisk.datasets import LOADINGS

SEED = 20220224
START = "2022-01-03"
END = "2024-12-31"
#: Article intensity per calendar day: BASE + ATTENTION * |dz| (news piles up on event days).
BASE_ARTICLES_PER_DAY = 0.82
ATTENTION = 8.0
JUMP_PROB = 0.025
JUMP_SIZE = 0.9
DIFFUSION = 0.05
TILT = 3.0
#: Share of the response to a change of z absorbed 0, 1, 2, ... sessions later.
RESPONSE_KERNEL = (0.30, *(round(0.70 * 0.2 * 0.8**j, 6) for j in range(20)))

# ticker: (sleeve, calendar, start price, market beta, idiosyncratic daily vol)
INSTRUMENTS: dict[str, tuple[str, str, float, float, float]] = {
    "BZ=F": ("energy", "CMES", 79.0, 0.6, 0.020),
    "CL=F": ("energy", "CMES", 76.0, 0.6, 0.021),
    "NG=F": ("energy", "CMES", 3.9, 0.3, 0.035),
    "LMT": ("defense", "XNYS", 430.0, 0.5, 0.011),
    "NOC": ("defense", "XNYS", 450.0, 0.5, 0.011),
    "RTX": ("defense", "XNYS", 95.0, 0.8, 0.012),
    "GD": ("defense", "XNYS", 240.0, 0.7, 0.010),
    "ITA": ("defense", "XNYS", 110.0, 0.9, 0.008),
    "RHM.DE": ("defense", "XETR", 170.0, 0.7, 0.020),
    "BA.L": ("defense", "XLON", 800.0, 0.6, 0.013),
    "ZW=F": ("grain", "CMES", 760.0, 0.2, 0.020),
    "ZC=F": ("grain", "CMES", 600.0, 0.2, 0.016),
    "WEAT": ("grain", "XNYS", 7.5, 0.2, 0.017),
    "SPY": ("benchmark", "XNYS", 470.0, 1.0, 0.002),
}
#: Factor series drawn from their own seeded stream (SEED + 1), so adding one leaves the
#: other prices and every article unchanged: ticker -> (calendar, start price, market beta, vol).
FACTOR_INSTRUMENTS: dict[str, tuple[str, float, float, float]] = {
    "UUP": ("XNYS", 27.0, -0.10, 0.004),
}

ACTORS_RU = ["Moscow", "The Kremlin", "Russian officials", "Putin", "Russia's foreign ministry", "Peskov"]
ACTORS_UA = ["Kyiv", "Ukraine's government", "Zelensky", "Ukrainian commanders"]
ACTORS_US = ["Washington", "The White House", "US envoys", "Trump", "Rubio"]
PLACES = ["Donetsk", "Zaporizhzhia", "Kharkiv", "Kherson", "the Black Sea", "Crimea", "Pokrovsk", "Kursk", "Odesa"]
VENUES = ["Riyadh", "Istanbul", "Geneva", "Alaska"]

HAWK_THREAT = [
    "{ru} issued an ultimatum over {place}",
    "{ru} threatened to abandon the talks unless its demands on {place} were met",
    "hardliners in {ru_lower} urged the Kremlin to walk away from the talks",
    "{ru} warned of retaliation if long-range missiles reached Ukraine",
    "{us} threatened secondary sanctions on buyers of Russian oil",
    "{ru} put nuclear forces on high alert during war games near {place}",
    "{ru} signalled no intention to pause fighting around {place}",
    "{ru} flatly refused a ceasefire before a deal on {place}",
    "officials reported a troop buildup near {place}",
    "{ru} ruled out any compromise on {place}",
]
HAWK_ACT = [
    "{ru} launched a new offensive near {place}",
    "massive missile strikes hit energy infrastructure across Ukraine",
    "drone attacks struck refineries and an oil terminal on {place}",
    "talks collapsed after the delegation walked out in {venue}",
    "the EU adopted a new sanctions package targeting Russian crude exports",
    "heavy shelling intensified around {place}, with dozens of casualties",
    "Russian forces captured villages outside {place}",
    "{ua} carried out a deep strike on an airbase in {place}",
    "fighting intensified along the front as talks stalled",
    "a blockade of ports near {place} halted grain shipments",
]
PEACE = [
    "{us} said a ceasefire proposal was gaining ground in {venue}",
    "negotiators reported progress in talks on a peace framework",
    "{ru} and {ua} agreed to a prisoner swap brokered in {venue}",
    "a backchannel between {us_lower} and the Kremlin produced a draft peace plan",
    "both sides agreed to a humanitarian corridor around {place}",
    "envoys met in {venue} for a new round of talks",
    "officials floated sanctions relief in exchange for a truce",
    "the grain corridor deal was extended, reopening Black Sea shipping",
    "{ua} said it was ready to negotiate security guarantees",
    "a diplomatic breakthrough raised hopes of a truce by the spring",
]
CHANNEL = {
    "energy": [
        "Brent crude and European gas prices reacted within minutes.",
        "Traders watched oil tankers and pipeline flows closely.",
        "Analysts said the price cap on Russian crude was back in focus.",
    ],
    "defense": [
        "Shares of defense contractors such as Rheinmetall and Lockheed moved on the news.",
        "European governments discussed more ammunition and air defense deliveries.",
        "Defence spending plans were revised in several NATO capitals.",
    ],
    "grain": [
        "Wheat and corn futures in Chicago responded to the shipping risk.",
        "Exporters said the harvest could struggle to leave Black Sea ports.",
        "Fertiliser and grain traders reassessed the corridor.",
    ],
}
FILLER = [
    "Markets in Asia were mixed.",
    "Officials did not comment further.",
    "The story is developing.",
    "A spokesperson declined to give details.",
]
OFF_TOPIC = [
    "The supermarket price war deepened as chains cut milk prices again.",
    "The film about the war of words between two chefs topped the box office.",
    "The football match ended in a draw after extra time.",
    "The tennis tournament in Geneva was postponed by rain.",
    "A bidding war broke out for the streaming rights to the tv series.",
]
TITLES_HAWK = [
    "Escalation fears grow",
    "Talks on the brink",
    "Kremlin hardens stance",
    "New strikes reported",
    "Sanctions pressure rises",
]
TITLES_PEACE = [
    "Hopes for a truce",
    "Peace talks advance",
    "Diplomats report progress",
    "Ceasefire within reach",
    "Backchannel bears fruit",
]
TITLES_OFF = ["In other news", "Weekend round-up", "Business briefing"]


def _sessions(calendar: str) -> pd.DatetimeIndex:
    from georisk.calendar import get_calendar

    cal = get_calendar(calendar, "2021-01-01", "2025-12-31")
    s = cal.sessions
    return pd.DatetimeIndex(s[(s >= pd.Timestamp(START)) & (s <= pd.Timestamp(END))]).as_unit("ns")


def _latent(rng: np.random.Generator, days: pd.DatetimeIndex) -> np.ndarray:
    z = np.zeros(len(days))
    level = 0.3
    for t in range(len(days)):
        jump = rng.choice([-1.0, 1.0]) * rng.normal(JUMP_SIZE, 0.3) if rng.random() < JUMP_PROB else 0.0
        level = 0.985 * level + DIFFUSION * rng.normal() + jump
        z[t] = level
    return z


def _prices(rng: np.random.Generator, days: pd.DatetimeIndex, z: np.ndarray) -> pd.DataFrame:
    weekday = days.day_of_week < 5
    market = np.where(weekday, rng.normal(0.0003, 0.010, len(days)), 0.0)
    dz = np.diff(z, prepend=z[0])
    kernel = np.asarray(RESPONSE_KERNEL)
    # news response on calendar days, spread over the following days by the kernel
    response = np.convolve(dz, kernel)[: len(days)]
    cols = {}
    for ticker, (sleeve, calendar, p0, beta, vol) in INSTRUMENTS.items():
        idio = np.where(weekday, rng.normal(0.0, vol, len(days)), 0.0)
        daily = beta * market + LOADINGS[sleeve] * response + idio
        log_growth = pd.Series(np.log1p(np.clip(daily, -0.5, None)), index=days).cumsum()
        sessions = _sessions(calendar)
        level = p0 * np.exp(log_growth.reindex(sessions).to_numpy())
        cols[ticker] = pd.Series(level, index=sessions)
    factor_rng = np.random.default_rng(SEED + 1)
    for ticker, (calendar, p0, beta, vol) in FACTOR_INSTRUMENTS.items():
        idio = np.where(weekday, factor_rng.normal(0.0, vol, len(days)), 0.0)
        log_growth = pd.Series(np.log1p(beta * market + idio), index=days).cumsum()
        sessions = _sessions(calendar)
        cols[ticker] = pd.Series(p0 * np.exp(log_growth.reindex(sessions).to_numpy()), index=sessions)
    frame = pd.DataFrame(cols).sort_index()
    frame.index.name = "date"
    return frame


def _fill(template: str, rng: np.random.Generator) -> str:
    ru = str(rng.choice(ACTORS_RU))
    us = str(rng.choice(ACTORS_US))
    return template.format(
        ru=ru,
        ru_lower=ru.lower() if ru.startswith("The ") else ru,
        ua=str(rng.choice(ACTORS_UA)),
        us=us,
        us_lower=us.lower() if us.startswith("The ") else us,
        place=str(rng.choice(PLACES)),
        venue=str(rng.choice(VENUES)),
    )


def _sentence(text: str) -> str:
    return text[0].upper() + text[1:] + "."


def _articles(rng: np.random.Generator, days: pd.DatetimeIndex, z: np.ndarray) -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    dz = np.abs(np.diff(z, prepend=z[0]))
    counts = rng.poisson(BASE_ARTICLES_PER_DAY + ATTENTION * dz)
    for day, n, zt in zip(days, counts, z, strict=True):
        minutes = np.sort(rng.integers(0, 24 * 60, n))
        for minute in minutes:
            ts = day + pd.Timedelta(minutes=int(minute))
            u = rng.random()
            if u < 0.08:
                title = str(rng.choice(TITLES_OFF))
                body = [str(rng.choice(OFF_TOPIC)), str(rng.choice(FILLER))]
            else:
                p_hawk = 1.0 / (1.0 + math.exp(-TILT * zt))
                hawkish = rng.random() < p_hawk
                bank = [HAWK_THREAT, HAWK_ACT][int(rng.integers(0, 2))] if hawkish else PEACE
                main = [_sentence(_fill(str(rng.choice(bank)), rng)) for _ in range(int(rng.integers(1, 3)))]
                body = main
                if rng.random() < 0.15:  # mixed: the other force appears too
                    other = PEACE if hawkish else [*HAWK_THREAT, *HAWK_ACT]
                    body.append("Separately, " + _fill(str(rng.choice(other)), rng) + ".")
                channel = str(rng.choice(list(CHANNEL)))
                body.append(str(rng.choice(CHANNEL[channel])))
                body.append(str(rng.choice(FILLER)))
                title = str(rng.choice(TITLES_HAWK if hawkish else TITLES_PEACE))
            text = " ".join(body)
            out.append(
                {
                    "id": f"syn-{len(out):05d}",
                    "published_at": ts.strftime("%Y-%m-%dT%H:%M:00Z"),
                    "title": f"{title} (synthetic)",
                    "text": text,
                    "source": "georisk-synthetic-wire",
                    "url": None,
                }
            )
    return out


def generate_sample(out_dir: str | Path) -> dict[str, Path]:
    """Write the synthetic sample files into ``out_dir`` and return their paths.

    Parameters
    ----------
    out_dir : str or pathlib.Path
        Destination folder (created if needed).

    Returns
    -------
    dict
        ``{"articles": ..., "prices": ..., "latent": ...}`` paths. Same bytes on every run.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(SEED)
    days = pd.date_range(START, END, freq="D", unit="ns")
    z = _latent(rng, days)
    prices = _prices(rng, days, z)
    articles = _articles(rng, days, z)

    paths = {
        "articles": out / "sample_articles.jsonl",
        "prices": out / "sample_prices.csv",
        "latent": out / "sample_latent.csv",
    }
    with paths["articles"].open("w", encoding="utf-8", newline="\n") as fh:
        for rec in articles:
            fh.write(json.dumps(rec, ensure_ascii=False, sort_keys=False) + "\n")
    with paths["prices"].open("w", encoding="utf-8", newline="\n") as fh:
        fh.write("date," + ",".join(prices.columns) + "\n")
        for date, row in prices.iterrows():
            vals = ",".join("" if np.isnan(v) else f"{v:.4f}" for v in row.to_numpy())
            fh.write(f"{pd.Timestamp(date).date()},{vals}\n")  # type: ignore[arg-type]
    with paths["latent"].open("w", encoding="utf-8", newline="\n") as fh:
        fh.write("date,z\n")
        for day, value in zip(days, z, strict=True):
            fh.write(f"{day.date()},{value:.6f}\n")
    return paths


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point: regenerate the sample files."""
    parser = argparse.ArgumentParser(description="Regenerate georisk's synthetic sample (same bytes each run).")
    parser.add_argument(
        "--out",
        type=Path,
        default=Path(__file__).resolve().parents[1] / "src" / "georisk" / "datasets" / "data",
        help="destination folder",
    )
    args = parser.parse_args(argv)
    for name, path in generate_sample(args.out).items():
        print(f"{name}: {path} ({path.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
