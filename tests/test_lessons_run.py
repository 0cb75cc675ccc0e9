"""Shipped lessons played end to end, headless: every step reaches its rule within its cap.

The suite plays the two quickest 1-D lessons on two seeds; ``scripts/lesson_report.py`` plays
every lesson on seeds 0-4 (README, *Lessons*, has its table)."""

import pytest

from playground import lessons


@pytest.mark.parametrize("key", ["figure1", "saturation"])
@pytest.mark.parametrize("seed", [0, 1])
def test_every_step_of_a_shipped_lesson_reaches_its_rule(key, seed):
    lesson = lessons.shipped()[key]
    results = lessons.run_lesson(lesson, seed)
    assert [r.outcome for r in results] == ["reached"] * len(lesson.steps), results
    assert all(r.iterations <= step.cap for r, step in zip(results, lesson.steps))
    if key == "figure1":  # the end of Figure 1: D = ½ and V near −log 4 ≈ −1.386
        end = results[-1].metrics
        assert abs(end["d_real"] - 0.5) < 0.02 and abs(end["d_fake"] - 0.5) < 0.02 and end["value"] < -1.36


def test_a_step_that_cannot_reach_its_rule_stops_at_its_cap():
    lesson = lessons.parse_lesson(
        'title = "t"\nlab = "1d"\nsettings = { width = 8, batch = 32 }\n[[steps]]\nwatch = "w"\n'
        'until = "d_real > 2"\ncap = 120\nquestion = "q?"\nanswer = "a"\n')
    (result,) = lessons.run_lesson(lesson, 0, check_every=50)
    assert result.outcome == "cap" and result.iterations == 120
