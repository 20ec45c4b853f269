import json
import subprocess
import sys

import georisk


def test_public_api_names():
    for name in [
        "load_articles",
        "score_articles",
        "daily_signal",
        "load_prices",
        "risk_premium",
        "backtest",
        "export_daily",
    ]:
        assert callable(getattr(georisk, name)), name
    from georisk.datasets import load_sample

    assert callable(load_sample)
    assert georisk.__version__


def test_import_is_light_and_fast():
    code = (
        "import sys, time, json; t = time.perf_counter(); import georisk; dt = time.perf_counter() - t; "
        "print(json.dumps({'dt': dt, 'mods': [m for m in ('yfinance', 'matplotlib', 'sklearn', 'pandas') if m in sys.modules]}))"
    )
    best = None
    for _ in range(3):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        info = json.loads(out.stdout)
        assert info["mods"] == [], f"import georisk pulled in {info['mods']}"
        best = info["dt"] if best is None else min(best, info["dt"])
    # Lightness is the list of modules above; the time is printed (and measured quietly by
    # the closing note), bounded here only against a gross regression on a loaded machine.
    print(f"import georisk: {best:.3f} s (best of 3)")
    assert best < 3.0, f"import georisk took {best:.3f} s"


def test_unknown_attribute_raises():
    import pytest

    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        _ = georisk.nope  # type: ignore[attr-defined]


def test_py_typed_shipped():
    from importlib import resources

    assert resources.files("georisk").joinpath("py.typed").is_file()
