"""Stand-in files in the layout of ``../shared/data``, written from a seeded generator.

The benchmark scripts that validate georisk on the real data (``benchmarks/validate_premium.py``,
``benchmarks/validate_news.py``) read that layout; the tests run them on these files, so
that a change to the scripts or the library is caught on machines without the real data.
Headlines are sentences written for these tests; prices and indices are simulated, with a
planted escalation in February 2022 that lifts oil, grain and defense.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

ACTORS = ["Russian forces", "Moscow", "The Kremlin", "Kyiv", "Ukrainian officials", "Russian commanders", "Putin"]
HAWKISH = [
    "shell {place} and warn of a wider offensive",
    "launch missile strikes on {place}",
    "reject a ceasefire and press the assault on {place}",
    "mobilise reserves near {place} after talks collapse",
    "issue an ultimatum over {place}",
]
PEACE = [
    "agree a humanitarian corridor from {place}",
    "resume peace talks on {place} with mediators",
    "sign a prisoner exchange covering {place}",
    "back a ceasefire proposal for {place}",
]
NEUTRAL = [
    "report a record wheat harvest near {place}",
    "open a new railway station in {place}",
    "hold a concert for teachers in {place}",
]
PLACES = ["Kharkiv", "Donetsk", "Odesa", "Kherson", "Mariupol", "Zaporizhzhia", "Mykolaiv", "Sumy", "Poltava"]
CODAS = [
    "officials say",
    "according to reports",
    "sources confirm",
    "a spokesman said",
    "witnesses say",
    "in a statement",
]


def _headlines(rng: np.random.Generator, days: pd.DatetimeIndex, war: np.ndarray, scale: float) -> pd.DataFrame:
    rows = []
    for day, w in zip(days, war, strict=True):
        n = rng.poisson(scale * (1.0 + 8.0 * w))
        for _ in range(n):
            u = rng.random()
            bank = HAWKISH if u < 0.2 + 0.5 * w else PEACE if u < 0.35 + 0.5 * w else NEUTRAL
            action = str(rng.choice(bank)).format(place=rng.choice(PLACES))
            rows.append((day, f"{rng.choice(ACTORS)} {action}, {rng.choice(CODAS)} ({int(rng.integers(1, 10_000))})"))
    return pd.DataFrame(rows, columns=["day", "title"])


def write_shared(root: Path, seed: int = 7) -> Path:
    """Write the stand-in layout under ``root`` (the folder that plays ``../shared/data``)."""
    rng = np.random.default_rng(seed)
    days = pd.bdate_range("2019-06-03", "2024-12-31")
    cal_days = pd.date_range("2019-06-01", "2024-12-31", freq="D")
    war = np.clip((days - pd.Timestamp("2022-02-10")).days / 20.0, 0.0, 1.0) * np.exp(
        -np.clip((days - pd.Timestamp("2022-06-01")).days, 0, None) / 200.0
    )
    # news
    (root / "news-ruwa").mkdir(parents=True, exist_ok=True)
    ruwa_days = days[(days >= "2021-09-01") & (days <= "2022-11-17")]
    ruwa = _headlines(rng, ruwa_days, war[(days >= "2021-09-01") & (days <= "2022-11-17")], 2.0)
    pd.DataFrame(
        {
            "src": [f"https://example.org/ruwa/{i}" for i in range(len(ruwa))],
            "desc": "",
            "title": ruwa["title"],
            "Date": ruwa["day"].dt.strftime("%m/%d/%Y"),
            "Site": "example.org",
        }
    ).to_csv(root / "news-ruwa" / "RUWA_04.08.23.csv")
    folder = root / "news-guardian-bbc-russia-ukraine"
    folder.mkdir(parents=True, exist_ok=True)
    for name, enc, scale in (
        ("all_guardian_russia_ukraine_bias_babel.csv", "utf-8", 1.5),
        ("bbc_ru_bias_merge_result_filtered_with_time.csv", "utf-8-sig", 0.5),
    ):
        g = _headlines(rng, days, war, scale)
        pd.DataFrame(
            {
                "url": [f"https://example.org/{name[:3]}/{i}" for i in range(len(g))],
                "title": g["title"],
                "published_date": [f"{d.year}/{d.month}/{d.day}" for d in g["day"]],
            }
        ).to_csv(folder / name, index=False, encoding=enc)
    # GPR, daily and monthly
    (root / "gpr-index").mkdir(parents=True, exist_ok=True)
    cal_war = np.interp(cal_days.values.astype(float), days.values.astype(float), war)
    gprd = 100.0 * np.exp(rng.normal(0, 0.35, len(cal_days))) * (1.0 + 3.0 * cal_war)
    pd.DataFrame(
        {
            "DAY": cal_days.strftime("%Y%m%d").astype(int),
            "N10D": rng.integers(200, 400, len(cal_days)),
            "GPRD": gprd,
            "GPRD_ACT": gprd * 1.1,
            "GPRD_THREAT": gprd * 0.9,
            "date": cal_days.strftime("%Y-%m-%d"),
            "event": "",
        }
    ).to_csv(root / "gpr-index" / "data_gpr_daily_recent.csv", index=False)
    months = pd.date_range("2019-06-01", "2024-12-01", freq="MS")
    mwar = pd.Series(war, index=days).resample("MS").mean().reindex(months).fillna(0.0).to_numpy()
    pd.DataFrame(
        {
            "month": months.strftime("%Y-%m-%d"),
            "GPR": 100 * (1 + 2 * mwar) + rng.normal(0, 5, len(months)),
            "GPRC_RUS": 0.5 * (1 + 6 * mwar) + rng.normal(0, 0.05, len(months)),
            "GPRC_UKR": 0.2 * (1 + 9 * mwar) + rng.normal(0, 0.03, len(months)),
        }
    ).to_csv(root / "gpr-index" / "data_gpr_export.csv", index=False)
    # prices: market and dollar factors, sleeves lifted by the planted war
    n = len(days)
    spy = rng.normal(0.0003, 0.01, n)
    usd = rng.normal(0.0, 0.004, n)
    lift = np.diff(war, prepend=0.0)

    def walk(p0: float, beta: float, gamma: float, vol: float, dollar: float = 0.0) -> np.ndarray:
        r = beta * spy + dollar * usd + gamma * lift + rng.normal(0, vol, n)
        return p0 * np.cumprod(1 + r)

    def frame(values: np.ndarray, col: str = "Close") -> pd.DataFrame:
        return pd.DataFrame({"Date": days.strftime("%Y-%m-%d"), col: values})

    (root / "oil-prices").mkdir(exist_ok=True)
    frame(walk(65.0, 0.4, 0.35, 0.02, -0.5), "Price").to_csv(root / "oil-prices" / "brent-daily.csv", index=False)
    (root / "futures-indices-yahoo").mkdir(exist_ok=True)
    for ticker, p0, gamma, vol in (("CL=F", 60.0, 0.35, 0.022), ("NG=F", 3.0, 0.2, 0.04), ("ZW=F", 500.0, 0.3, 0.02)):
        frame(walk(p0, 0.2, gamma, vol, -0.3)).to_csv(root / "futures-indices-yahoo" / f"{ticker}.csv", index=False)
    zc = frame(walk(400.0, 0.2, 0.25, 0.017, -0.3))
    header = pd.DataFrame({"Date": [""], "Close": ["ZC=F"]})  # a yfinance second header row
    pd.concat([header, zc.astype({"Close": str})]).to_csv(root / "futures-indices-yahoo" / "ZC=F.csv", index=False)
    (root / "equities-yahoo-close").mkdir(exist_ok=True)
    for ticker, p0, beta, gamma in (
        ("LMT", 400.0, 0.6, 0.12),
        ("NOC", 420.0, 0.6, 0.12),
        ("RTX", 90.0, 0.8, 0.08),
        ("GD", 220.0, 0.7, 0.1),
        ("ITA", 100.0, 0.9, 0.08),
        ("WEAT", 6.0, 0.2, 0.3),
        ("SPY", 300.0, 1.0, 0.0),
    ):
        values = 300.0 * np.cumprod(1 + spy) if ticker == "SPY" else walk(p0, beta, gamma, 0.012)
        frame(values).to_csv(root / "equities-yahoo-close" / f"{ticker}.csv", index=False)
    frame(25.0 * np.cumprod(1 + usd)).to_csv(root / "equities-yahoo-close" / "UUP.csv", index=False)
    (root / "equities-europe-defense").mkdir(exist_ok=True)
    rhm = frame(walk(150.0, 0.7, 0.3, 0.02))
    rhm[pd.to_datetime(rhm["Date"]) >= "2023-01-02"].assign(Volume=1000).to_csv(
        root / "equities-europe-defense" / "RHM.DE.csv", index=False
    )
    ba = frame(walk(600.0, 0.6, 0.1, 0.013), "Adj Close")
    ba.insert(1, "Close", ba["Adj Close"])
    ba[pd.to_datetime(ba["Date"]) <= "2023-10-06"].to_csv(root / "equities-europe-defense" / "BA.L.csv", index=False)
    return root
