"""The coach's readings, each from a run whose numbers show it (and not from one that does not),
with its evidence; the thresholds themselves are measured over seeds by scripts/coach_report.py."""

from types import SimpleNamespace

import numpy as np

from playground import coach
from playground.labs.mnist import ConfigMNIST
from playground.labs.one_d import Config1D
from playground.labs.two_d import Config2D

N = 40  # evaluations, as many iterations apart as the loss history's points


def snap(d_real, d_fake, js=0.01, g_norm=None, metrics=None, p_data=None, p_g=None, objective="bce",
         method="adversarial", **evals):
    """A snapshot at iteration 4,000 with N evaluations and loss rows every 100 iterations."""
    it = np.linspace(100, 4000, N)
    full = lambda v: np.broadcast_to(np.asarray(v, dtype=float), (N,)).copy()  # noqa: E731
    histories = {"iteration": it, "d_real": full(d_real), "d_fake": full(d_fake), "js": full(js),
                 **{k: full(v) for k, v in evals.items()}}
    losses = {"iteration": it, "d_loss": full(1.38), "g_loss": full(0.7),
              "g_grad_norm": full(1.0) if g_norm is None else full(g_norm)}
    last = {k: float(v[-1]) for k, v in histories.items() if k != "iteration"}
    return SimpleNamespace(iteration=4000, metrics={**last, "off_plot": 0.0, **(metrics or {})}, losses=losses,
                           evals=histories, objective=objective, method=method, p_data=p_data, p_g=p_g)


def kinds(snapshot, config=Config1D()):
    return [r.kind for r in coach.read(snapshot, config)]


def gaussian(x, mean, std):
    return np.exp(-0.5 * ((x - mean) / std) ** 2) / std


X = np.linspace(-4, 4, 250)


def test_a_run_that_converged_is_called_converged_and_nothing_else():
    readings = coach.read(snap(0.5, 0.49, js=0.01, p_data=gaussian(X, 0, 1), p_g=gaussian(X, 0.05, 1)), Config1D())
    assert [r.kind for r in readings] == ["converged"] and readings[0].good
    assert ("JS", "0.010 nats") in readings[0].evidence


def test_nothing_is_said_while_the_run_warms_up():
    early = snap(1.0, 0.0)
    early.iteration = 100
    assert kinds(early) == []


def test_d_winning_and_with_the_minimax_loss_the_vanishing_gradient():
    norms = np.concatenate([np.full(10, 5.0), np.full(30, 1e-4)])  # ‖∇θG‖ collapses
    s = snap(0.99, 0.01, js=0.69, g_norm=norms)
    assert "d_winning" in kinds(s) and "vanishing_gradient" not in kinds(s)  # non-saturating: no such reading
    minimax = Config1D(loss="minimax")
    readings = {r.kind: r for r in coach.read(s, minimax)}
    assert {"d_winning", "vanishing_gradient"} <= set(readings)
    assert dict(readings["vanishing_gradient"].evidence)["‖∇θG‖ peak"] == "5"
    assert "vanishing_gradient" not in kinds(snap(0.99, 0.01, js=0.69, g_norm=5.0), minimax)  # still steep


def test_oscillation_needs_a_swing_back_and_forth_not_a_drift():
    swinging = 0.5 + 0.3 * np.sin(np.arange(N))
    assert "oscillation" in kinds(snap(0.55, swinging, js=0.3))
    drifting = np.linspace(0.2, 0.8, N)  # a large spread, but one way
    assert "oscillation" not in kinds(snap(0.55, drifting, js=0.3))


def test_mode_collapse_in_each_lab():
    two_d = snap(0.5, 0.5, js=0.68, modes_captured=1, high_quality=0.05, metrics={"modes_total": 8})
    reading = next(r for r in coach.read(two_d, Config2D()) if r.kind == "mode_collapse")
    assert ("modes captured now", "1 of 8") in reading.evidence
    assert "mode_collapse" not in kinds(snap(0.5, 0.5, js=0.3, modes_captured=8, high_quality=0.7,
                                             metrics={"modes_total": 8}), Config2D())
    bimodal = gaussian(X, -2, 0.4) + gaussian(X, 2, 0.4)
    assert "mode_collapse" in kinds(snap(0.5, 0.5, js=0.4, p_data=bimodal, p_g=2 * gaussian(X, 2, 0.2)))
    assert "mode_collapse" not in kinds(snap(0.5, 0.5, js=0.01, p_data=bimodal, p_g=bimodal))
    mnist = snap(0.5, 0.5, js=np.nan, metrics={"label_kl": 1.6})
    assert kinds(mnist, ConfigMNIST()) == ["mode_collapse"]
    assert kinds(snap(0.5, 0.5, js=np.nan, metrics={"label_kl": 0.05}), ConfigMNIST()) == []


def test_d_fooled_not_beaten_says_so_in_the_words_of_issue_12():
    far = snap(0.51, 0.49, js=0.4, p_data=gaussian(X, 0, 1), p_g=gaussian(X, 0.3, 1.3))
    reading = next(r for r in coach.read(far, Config1D()) if r.kind == "fooled_not_beaten")
    assert reading.text.startswith("D is fooled, not beaten: it cannot tell the two apart where the data is")
    assert "fooled_not_beaten" not in kinds(snap(0.9, 0.1, js=0.4))  # D is not fooled there


def test_divergence_near_when_g_runs_off_or_its_gradient_explodes():
    exploding = np.concatenate([np.full(35, 1.0), np.full(5, 1e4)])
    assert "divergence_near" in kinds(snap(0.5, 0.5, js=0.3, g_norm=exploding))
    assert "divergence_near" in kinds(snap(0.5, 0.5, js=0.3, metrics={"off_plot": 0.6}))
    assert "divergence_near" not in kinds(snap(0.5, 0.5, js=0.3, g_norm=np.linspace(1, 3, N)))


def test_critics_and_mmd_get_no_readings_about_d_as_a_probability():
    critic = snap(5.0, -5.0, js=0.69, objective="wgan-gp")
    assert "d_winning" not in kinds(critic) and "fooled_not_beaten" not in kinds(critic)
    mmd = snap(np.nan, np.nan, js=0.01, method="mmd")
    assert kinds(mmd) == ["converged"]
