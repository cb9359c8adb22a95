"""`make demo-class` on a small class: the whole loop runs and leaves a CSV and a chart."""

import csv
import io

import pytest

from grader.demo import make_class, run_demo, summary_lines
from grader.exercises import EXERCISES

pytestmark = pytest.mark.slow


def test_small_demo_class_goes_through_the_whole_loop(tmp_path, sandbox_ready):
    result = run_demo(tmp_path / "demo", size=5, frameworks=["pytorch"], jobs=2, timeout=15,
                      seed=7, stream=io.StringIO())
    assert result["assignments"] == sorted(a for a in EXERCISES if a.endswith("-pytorch"))
    with open(result["csv"], encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    students = [f"sv{i:03d}" for i in range(1, 6)]
    for assignment in result["assignments"]:
        assert sorted(r["student_id"] for r in rows if r["assignment"] == assignment) == students
    handed_in = [row for row in rows if row["timestamp"]]
    assert len(handed_in) == 5 * len(result["assignments"]) - result["handed"].get("không nộp", 0)
    # Late work is penalised as the course's plugin says (here: 'zero').
    for row in handed_in:
        if row["student_id"] in result["late"]:
            assert float(row["score"]) == 0.0
    assert result["chart"].stat().st_size > 10_000
    assert result["chart"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    released = list((tmp_path / "demo" / "exchange").rglob("feedback/*.html"))
    assert len(released) == len(handed_in)
    assert any("bai3-cross-correlation-pytorch" in line for line in summary_lines(result))


def test_class_profiles_cover_the_range():
    import random
    students = make_class(30, random.Random(1))
    assert len({s.id for s in students}) == 30
    assert {s.profile for s in students} == {"giỏi", "khá", "trung bình", "yếu"}
