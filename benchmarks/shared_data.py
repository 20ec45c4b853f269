"""Loaders for the real public data in ``../shared/data`` (research scripts only).

Nothing is copied into the repository. Headlines go through ``georisk.load_articles``
(validation, cleaning of garbled punctuation, near-duplicate merging, quarantine), with
the conservative date-only policy: a headline dated without a time is known at the end
of that day in its stated zone, so it counts for the next New York session.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

import georisk
from georisk.config import Instrument, Sleeve, Universe, default_universe

DEFENSE = ["ITA", "XAR", "LMT", "NOC", "RTX", "GD"]
ENERGY = ["USO", "UNG"]
GRAIN = ["WEAT", "CORN"]


def _dates(values: pd.Series, fmt: str) -> pd.Series:
    return pd.to_datetime(values, format=fmt, errors="coerce").dt.strftime("%Y-%m-%d")


#: censor.net titles end in their timestamp and section, "(06.04.22 16:14) « War in Ukraine | Censor.NET",
#: and its descriptions open with the timestamp and repeat the title.
_CENSOR_TITLE_TAIL = r"\s*\(\d{2}\.\d{2}\.\d{2} \d{1,2}:\d{2}\)\s*\S?\s*[^()]*\|\s*Censor\.NET\s*$"
_CENSOR_DESC_HEAD = r"^\d{2}\.\d{2}\.\d{2} \d{1,2}:\d{2} - "


def _censor_net(title: pd.Series, desc: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Strip censor.net's title suffix and description prefix, and the title repeated in the description."""
    title = title.str.replace(_CENSOR_TITLE_TAIL, "", regex=True).str.strip()
    desc = desc.str.replace(_CENSOR_DESC_HEAD, "", regex=True)
    repeated = [bool(t) and d.startswith(t) for t, d in zip(title.tolist(), desc.tolist(), strict=True)]
    desc = pd.Series(
        [d[len(t) :].lstrip(" .") if r else d for t, d, r in zip(title.tolist(), desc.tolist(), repeated, strict=True)],
        index=desc.index,
    )
    return title, desc


def load_headlines(shared: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Headlines of news-ruwa and news-guardian-bbc-russia-ukraine as one article frame.

    Sources are the three collections (``ruwa``, ``guardian``, ``bbc``): each is read
    against its own level by the signal's source normalisation.

    Returns
    -------
    (articles, quarantine)
        The validated articles and the records rejected (no date, no text), counted.
    """
    ruwa = pd.read_csv(shared / "news-ruwa" / "RUWA_04.08.23.csv", dtype={"title": str, "desc": str})
    title, desc = _censor_net(ruwa["title"].fillna("").astype(str), ruwa["desc"].fillna("").astype(str))
    text = (title + ". " + desc).str.strip(". ")
    raw = [
        (
            pd.DataFrame(
                {
                    "published_at": _dates(ruwa["Date"], "%m/%d/%Y"),
                    "title": title,
                    "text": text,
                    # One source per collection: RUWA is one scraper's dataset whose mix of
                    # sites is its authors' choice; the site stays in the URL.
                    "source": "ruwa",
                    "url": ruwa["src"].astype(str),
                }
            ),
            "Europe/Kyiv",
        )
    ]
    folder = shared / "news-guardian-bbc-russia-ukraine"
    for name, enc, src in (
        ("all_guardian_russia_ukraine_bias_babel.csv", "utf-8", "guardian"),
        ("bbc_ru_bias_merge_result_filtered_with_time.csv", "utf-8-sig", "bbc"),
    ):
        g = pd.read_csv(folder / name, encoding=enc)
        headline = g["title"].fillna("").astype(str).str.replace(r"\s*-\s*BBC News$", "", regex=True)
        raw.append(
            (
                pd.DataFrame(
                    {
                        "published_at": _dates(g["published_date"], "%Y/%m/%d"),
                        "title": headline,
                        "text": headline,
                        "source": src,
                        "url": g["url"].astype(str),
                    }
                ),
                "Europe/London",
            )
        )
    good, bad = [], []
    for frame, zone in raw:
        loaded = georisk.load_articles_report(frame, timezone=zone, on_invalid="quarantine")
        good.append(loaded.articles)
        bad.append(loaded.quarantine)
    articles = pd.concat(good, ignore_index=True).sort_values(["published_at", "id"]).reset_index(drop=True)
    quarantine = pd.concat(bad, ignore_index=True)
    return articles, quarantine


def load_real_prices(shared: Path, start: str, end: str | None = None) -> tuple[pd.DataFrame, Universe]:
    """Wide closes (Yahoo ETFs and stocks, EIA Brent spot) and the matching universe."""
    universe = Universe(
        sleeves={
            "defense": Sleeve(instruments=tuple(Instrument(ticker=t) for t in DEFENSE)),
            "energy": Sleeve(
                instruments=(
                    # EIA Brent spot (FOB) is assessed at the London close.
                    Instrument(ticker="BRENT", close_time="16:30", timezone="Europe/London", unit="USD per barrel"),
                    *(Instrument(ticker=t) for t in ENERGY),
                )
            ),
            "grain": Sleeve(instruments=tuple(Instrument(ticker=t) for t in GRAIN)),
            "benchmark": Sleeve(instruments=(Instrument(ticker="SPY"),)),
        },
        oil_ticker="BRENT",
    )
    cols = {}
    for t in [*DEFENSE, *ENERGY, *GRAIN, "SPY"]:
        f = pd.read_csv(shared / "equities-yahoo-close" / f"{t}.csv", parse_dates=["Date"], index_col="Date")
        cols[t] = f["Close"]
    brent = pd.read_csv(shared / "oil-prices" / "brent-daily.csv", parse_dates=["Date"], index_col="Date")
    cols["BRENT"] = brent["Price"]
    prices = pd.DataFrame(cols).loc[start:end]
    prices.index = pd.DatetimeIndex(prices.index).as_unit("ns").rename("date")
    prices.columns.name = "ticker"
    return prices, universe


def _close(path: Path, column: str = "Close") -> pd.Series:
    frame = pd.read_csv(path)
    dates = pd.to_datetime(frame["Date"], format="%Y-%m-%d", errors="coerce")
    keep = dates.notna()  # ZW=F.csv carries a second header row of tickers (a yfinance artefact)
    values = pd.to_numeric(frame.loc[keep, column], errors="raise")
    return pd.Series(values.to_numpy(dtype=float), index=pd.DatetimeIndex(dates[keep]), name=path.stem)


def load_default_layout_prices(shared: Path, start: str, end: str | None = None) -> tuple[pd.DataFrame, Universe]:
    """Closes in the default universe's layout, with EIA Brent spot standing in for BZ=F.

    Energy: EIA Brent spot (London close), CL=F and NG=F (Yahoo continuous futures, with
    their NYMEX roll rules); defense: LMT NOC RTX GD ITA (Yahoo adjusted), RHM.DE (2023-)
    and BA.L (-2023-10); grain: ZW=F ZC=F (CBOT roll rule) and WEAT; benchmark SPY;
    factors UUP (the dollar).
    """
    base = default_universe()
    sleeves = dict(base.sleeves)
    energy = sleeves["energy"]
    brent = Instrument(
        ticker="BRENT", close_time="16:30", timezone="Europe/London", unit="USD per barrel", kind="index"
    )
    sleeves["energy"] = energy.model_copy(update={"instruments": (brent, *energy.instruments[1:])})
    universe = Universe(sleeves=sleeves, oil_ticker="BRENT")
    cols: dict[str, pd.Series] = {"BRENT": _close(shared / "oil-prices" / "brent-daily.csv", "Price")}
    for t in ("CL=F", "NG=F", "ZW=F", "ZC=F"):
        cols[t] = _close(shared / "futures-indices-yahoo" / f"{t}.csv")
    for t in ("LMT", "NOC", "RTX", "GD", "ITA", "WEAT", "SPY", "UUP"):
        cols[t] = _close(shared / "equities-yahoo-close" / f"{t}.csv")
    cols["RHM.DE"] = _close(shared / "equities-europe-defense" / "RHM.DE.csv")
    cols["BA.L"] = _close(shared / "equities-europe-defense" / "BA.L.csv", "Adj Close")
    prices = pd.DataFrame(cols).loc[start:end]
    prices = prices[universe.tickers]
    prices.index = pd.DatetimeIndex(prices.index).as_unit("ns").rename("date")
    prices.columns.name = "ticker"
    return prices, universe


def load_gpr(shared: Path) -> pd.DataFrame:
    """The daily Caldara-Iacoviello GPR file (GPRD, GPRD_ACT, GPRD_THREAT, ...)."""
    from georisk.signals import load_gpr_daily

    return load_gpr_daily(shared / "gpr-index" / "data_gpr_daily_recent.csv")


def load_gpr_monthly(shared: Path) -> pd.DataFrame:
    """The monthly GPR export (GPR, GPRC_RUS, GPRC_UKR, ...), indexed by month start."""
    frame = pd.read_csv(shared / "gpr-index" / "data_gpr_export.csv")
    frame["month"] = pd.to_datetime(frame["month"], format="%Y-%m-%d")
    return frame.set_index("month")
