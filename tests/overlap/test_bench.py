"""The overlap benchmark section at a small size: it checks both counts, prints the
machine-readable last line and writes every figure to --json."""

import json
import re
from argparse import Namespace

from consortia.overlap import bench


def test_the_section_reports_every_figure(tmp_path):
    lines = []
    out = tmp_path / "bench.json"
    out.write_text(json.dumps({"web": {"kept": True}}))
    bench.measure(Namespace(json=str(out)), lines.append, small=1000, large=6000)
    assert re.fullmatch(
        r"overlap: 1k ours=\d+\.\d\ds openmined=\d+\.\d\ds ratio=\d+\.\d\dx; "
        r"6k ours=\d+\.\ds bound=\d+\.\ds",
        lines[-1],
    ), lines[-1]
    data = json.loads(out.read_text())
    assert data["web"] == {"kept": True}  # other sections' figures are kept
    figures = data["overlap"]
    for name in (
        "hash_to_group_per_s", "scalarmult_per_s", "ristretto255_from_hash_per_s",
        "ristretto255_scalarmult_per_s", "ristretto255_bound_large_s", "normalize_per_s",
        "ours_small_s",
        "openmined_small_s", "ratio", "bound_small_s", "ours_large_s", "bound_large_s",
        "bound_ratio", "cores", "load_before", "load_after", "line", "targets_met",
    ):  # fmt: skip
        assert name in figures, name
    assert figures["line"] == lines[-1]


def test_the_bound_is_one_hash_and_two_multiplications_per_element_on_every_core():
    rates = {"hash_to_group_per_s": 100_000.0, "scalarmult_per_s": 25_000.0}
    # 2,000 elements x (10 us + 2 x 40 us) / 2 cores = 0.09 s
    assert abs(bench.bound_seconds(1000, 1000, rates, cores=2) - 0.09) < 1e-9


def test_the_bound_at_libsodiums_ristretto255_rates_uses_those_rates():
    rates = {
        "hash_to_group_per_s": 1.0,
        "scalarmult_per_s": 1.0,
        "ristretto255_from_hash_per_s": 100_000.0,
        "ristretto255_scalarmult_per_s": 20_000.0,
    }
    # 2,000 elements x (10 us + 2 x 50 us) / 2 cores = 0.11 s
    assert abs(bench.ristretto255_bound_seconds(1000, 1000, rates, cores=2) - 0.11) < 1e-9
