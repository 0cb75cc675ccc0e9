"""Teaching text that depends on the settings (kept out of pages so the CLI and tests can use it)."""

from __future__ import annotations

from .mmd import BANDWIDTHS
from .objectives import OBJECTIVES
from .trainer import INFO_WEIGHT

NOISE_TEXT = {"uniform": "U(−1, 1)", "normal": "N(0, 1)"}
NOISE_TEXT_MULTI = {"uniform": "U(−1, 1)^{d}", "normal": "N(0, I), d = {d}"}


def noise_text(kind: str, dim: int) -> str:
    """p_z as the paper would write it, with the latent dimension when it is more than 1."""
    if dim == 1:
        return NOISE_TEXT.get(kind, kind)
    return NOISE_TEXT_MULTI.get(kind, kind).format(d=dim)
OPTIMIZER_TEXT = {"sgd": "SGD with momentum μ = {momentum:g}", "adam": "Adam with β1 = {momentum:g}, β2 = 0.999"}
OBJECTIVE_TEXT = {"bce": "binary cross-entropy", "least-squares": "least squares, LSGAN",
                  "wgan-gp": "WGAN-GP", "hinge": "hinge"}
MINIMAX_G = "∇θg (1/m) Σ log(1 − D(G(z⁽ⁱ⁾)))"


def _steps(n: int) -> str:
    return f"{n} step{'s' if n != 1 else ''}"


def _d_update(h, objective) -> str:
    """D's update: the objective's gradient, with the smoothed label or λ filled in where they apply."""
    formula = objective.d_formula.replace("λ", f"{h.gp_weight:g} ·")
    label = h.losses().real_label
    notes = [OBJECTIVE_TEXT[h.objective]]
    if h.objective == "wgan-gp":
        notes.append(f"λ = {h.gp_weight:g}")
    if label != 1:
        formula = formula.replace("log D(x⁽ⁱ⁾)", f"{label:g}·log D(x⁽ⁱ⁾) + {1 - label:g}·log(1 − D(x⁽ⁱ⁾))")
        formula = formula.replace("(D(x⁽ⁱ⁾) − 1)²", f"(D(x⁽ⁱ⁾) − {label:g})²")
        notes.append(f"one-sided label smoothing: real label {label:g}")
    direction = "ascending" if h.objective == "bce" else "descending"
    return f"• Update D by {direction} its stochastic gradient ({', '.join(notes)}):\n{_indent(formula, 4)}"


def _g_update(h, objective) -> str:
    if h.method == "mmd":
        return ("• Update G by descending its stochastic gradient (MMD, no discriminator):\n"
                f"    ∇θg MMD²({{x⁽ⁱ⁾}}, {{G(z⁽ⁱ⁾)}}), a mean of Gaussian kernels, σ = "
                f"{', '.join(f'{s:g}' for s in BANDWIDTHS)}")
    if h.objective != "bce":
        return f"• Update G by descending its stochastic gradient ({OBJECTIVE_TEXT[h.objective]}):\n    {objective.g_formula}"
    form, formula = ("non-saturating", objective.g_formula) if h.loss == "nonsaturating" else ("minimax", MINIMAX_G)
    return f"• Update G by descending its stochastic gradient (the {form} form):\n    {formula}"


def _indent(lines: str, spaces: int) -> str:
    return "\n".join(" " * spaces + line if line else line for line in lines.split("\n"))


def algorithm1(config, data_name: str) -> str:
    """Algorithm 1 of Goodfellow et al. (2014) with this run's objective, k, m, G steps, loss and
    optimizers filled in (direct training by MMD has no D loop)."""
    h = config.hyper()
    objective = OBJECTIVES[h.objective]
    noise = noise_text(config.noise, config.latent_dim)
    mmd = h.method == "mmd"
    noise_line = f"• Sample minibatch of m = {h.batch} noise samples z⁽¹⁾ … z⁽ᵐ⁾ from p_z = {noise}"
    data_line = f"• Sample minibatch of m = {h.batch} examples x⁽¹⁾ … x⁽ᵐ⁾ from p_data = {data_name}"
    g_step = "\n".join([noise_line if mmd else f"• Sample minibatch of m = {h.batch} noise samples z⁽¹⁾ … z⁽ᵐ⁾ from p_z",
                        *([data_line] if mmd else []), _g_update(h, objective)])
    if h.g_steps > 1:
        g_step = f"for {_steps(h.g_steps)} do\n{_indent(g_step, 4)}\nend for"
    d_loop = "" if mmd else f"for k = {_steps(h.k)} do\n{_indent(chr(10).join([noise_line, data_line, _d_update(h, objective)]), 4)}\nend for\n"
    optimizer_d = OPTIMIZER_TEXT[h.optimizer].format(momentum=h.momentum)
    optimizer_g = OPTIMIZER_TEXT[h.g_optimizer].format(momentum=h.g_momentum)
    if mmd:
        updates = f"G's updates use {optimizer_g}, learning rate η_G = {h.lr_g:g}; there is no discriminator to train."
    else:
        updates = (f"Updates use {optimizer_d}" if optimizer_d == optimizer_g else
                   f"D's updates use {optimizer_d}; G's use {optimizer_g}")
        updates += f"; learning rates η_D = {h.lr_d:g}, η_G = {h.lr_g:g}."
    updates += _settling(h) + _info_code(config)
    return f"for number of training iterations do\n{_indent(d_loop + g_step, 4)}\nend for\n\n{updates}"


def _info_code(config) -> str:
    """InfoGAN's code term, when the run has a code (a sentence after the updates line)."""
    if not getattr(config, "code_dim", 0):
        return ""
    return (f" Each z also carries a one-hot code c, uniform over {config.code_dim} values; both updates also "
            f"descend λ · CE(Q(G(z, c)), c), λ = {INFO_WEIGHT:g}, Q being D's second head (InfoGAN).")


def _settling(h) -> str:
    """The annealing and the averaged generator, when on (sentences after the updates line)."""
    text = f" Both learning rates halve every {h.lr_halving:,} iterations." if h.lr_halving else ""
    if h.g_average:
        text += f" The page shows the averaged generator: θ̄_g ← β θ̄_g + (1 − β) θ_g after each G step, β = {h.g_average:g}."
    return text


def shown_generator(config) -> str:
    """Who drew the generated samples on the page: "the averaged G" while averaging is on, else "G(z)"."""
    return "the averaged G" if getattr(config, "g_average", 0.0) else "G(z)"


def settings_line(config) -> str:
    """One line naming the settings a frame was trained with (changes show in the next frame)."""
    h = config.hyper()
    if h.method == "mmd":
        return (f"MMD (no discriminator) · G steps = {h.g_steps} · m = {h.batch} · {h.g_optimizer.upper()} · "
                f"η_G = {h.lr_g:g} · {'β1' if h.g_optimizer == 'adam' else 'momentum'} = {h.g_momentum:g}")
    objective = OBJECTIVE_TEXT[h.objective]
    if h.objective == "bce":
        objective += f", {h.loss.replace('nons', 'non-s')} G loss"
    g_steps = f" · G steps = {h.g_steps}" if h.g_steps != 1 else ""
    optimizer = f"{h.optimizer.upper()} · {'β1' if h.optimizer == 'adam' else 'momentum'} = {h.momentum:g}"
    if (h.g_optimizer, h.g_momentum) != (h.optimizer, h.momentum):
        optimizer = (f"D: {optimizer} · G: {h.g_optimizer.upper()}, "
                     f"{'β1' if h.g_optimizer == 'adam' else 'momentum'} = {h.g_momentum:g}")
    settling = (f" · η halves every {h.lr_halving:,}" if h.lr_halving else "") + \
        (f" · averaged G, β = {h.g_average:g}" if h.g_average else "")
    return (f"{objective} · k = {h.k}{g_steps} · m = {h.batch} · {optimizer} · η_D = {h.lr_d:g} · "
            f"η_G = {h.lr_g:g}{settling}")
