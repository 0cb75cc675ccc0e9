"""Teaching text that depends on the settings (kept out of pages so the CLI and tests can use it)."""

from __future__ import annotations

NOISE_TEXT = {"uniform": "U(−1, 1)", "normal": "N(0, 1)"}
NOISE_TEXT_MULTI = {"uniform": "U(−1, 1)^{d}", "normal": "N(0, I), d = {d}"}


def noise_text(kind: str, dim: int) -> str:
    """p_z as the paper would write it, with the latent dimension when it is more than 1."""
    if dim == 1:
        return NOISE_TEXT.get(kind, kind)
    return NOISE_TEXT_MULTI.get(kind, kind).format(d=dim)
OPTIMIZER_TEXT = {"sgd": "SGD with momentum μ = {momentum:g}", "adam": "Adam with β1 = {momentum:g}, β2 = 0.999"}


def algorithm1(config, data_name: str) -> str:
    """Algorithm 1 of Goodfellow et al. (2014) with this run's k, m, loss and optimizer filled in."""
    h = config.hyper()
    noise = noise_text(config.noise, config.latent_dim)
    if h.loss == "nonsaturating":
        g_update = ("Update G by descending its stochastic gradient (the non-saturating form):\n"
                    "            ∇θg (1/m) Σ −log D(G(z⁽ⁱ⁾))")
    else:
        g_update = ("Update G by descending its stochastic gradient (the minimax form):\n"
                    "            ∇θg (1/m) Σ log(1 − D(G(z⁽ⁱ⁾)))")
    optimizer = OPTIMIZER_TEXT[h.optimizer].format(momentum=h.momentum)
    return f"""for number of training iterations do
    for k = {h.k} step{'s' if h.k != 1 else ''} do
        • Sample minibatch of m = {h.batch} noise samples z⁽¹⁾ … z⁽ᵐ⁾ from p_z = {noise}
        • Sample minibatch of m = {h.batch} examples x⁽¹⁾ … x⁽ᵐ⁾ from p_data = {data_name}
        • Update D by ascending its stochastic gradient:
            ∇θd (1/m) Σ [ log D(x⁽ⁱ⁾) + log(1 − D(G(z⁽ⁱ⁾))) ]
    end for
    • Sample minibatch of m = {h.batch} noise samples z⁽¹⁾ … z⁽ᵐ⁾ from p_z
    • {g_update}
end for

Updates use {optimizer}; learning rates η_D = {h.lr_d:g}, η_G = {h.lr_g:g}."""


def settings_line(config) -> str:
    """One line naming the settings a frame was trained with (changes show in the next frame)."""
    h = config.hyper()
    return (f"k = {h.k} · m = {h.batch} · {h.optimizer.upper()} · η_D = {h.lr_d:g} · η_G = {h.lr_g:g} · "
            f"{'β1' if h.optimizer == 'adam' else 'momentum'} = {h.momentum:g} · {h.loss.replace('nons', 'non-s')} loss")
