"""Rebuild docs/img/signal_premium.png, the README figure, from the bundled SYNTHETIC sample.

Run from the repository root: ``python docs/make_readme_figure.py`` (needs the ``plot`` extra).
"""

from __future__ import annotations

from pathlib import Path

from georisk import plotting
from georisk.pipeline import run

OUT = Path(__file__).resolve().parent / "img" / "signal_premium.png"


def main() -> None:
    """Draw the news signal beside the premium, and the premium by sleeve, and save the PNG."""
    result = run()
    axes = plotting.new_figure(2, 1, width=8.0, height=2.6)
    plotting.plot_signal_premium(result.signal, result.premium, ax=axes[0])
    plotting.plot_sleeve_decomposition(result.premium, ax=axes[1])
    fig = axes[0].figure
    plotting.stamp(fig, "SYNTHETIC: the bundled sample (simulated prices, composed articles), not for trading")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(OUT, dpi=80, metadata={"Software": None})


if __name__ == "__main__":
    main()
