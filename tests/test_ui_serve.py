"""`python -m playground serve`: the warm-up builds every lab's default run and draws a frame."""

import logging

from playground.ui import serve


def test_warm_up_builds_every_lab_and_logs_its_time(caplog, monkeypatch):
    built = []
    real = serve.pio.to_json
    monkeypatch.setattr(serve.pio, "to_json", lambda fig, **kw: built.append(fig) or real(fig, **kw))
    with caplog.at_level(logging.INFO):
        serve.warm_up()
    assert "warm-up done" in caplog.text and "failed" not in caplog.text
    assert len(built) >= 3 * 2  # at least a frame and a history figure per lab


def test_a_failing_warm_up_is_logged_not_raised(caplog, monkeypatch):
    broken = {key: lab.__class__(**{**lab.__dict__, "make_run": lambda config: 1 / 0}) for key, lab in serve.LABS.items()}
    monkeypatch.setattr(serve, "LABS", broken)
    serve.warm_up()
    assert "warm-up failed" in caplog.text


def test_a_bad_streamlit_option_gets_one_line_and_exit_2(capsys, monkeypatch):
    from playground.cli import main

    monkeypatch.setattr(serve, "warm_up", lambda: None)
    assert main(["serve", "--no-such-option"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "No such option '--no-such-option'" in err
