"""The MNIST networks: flat shapes the shared Trainer can train, the conditional label pass-through,
the DCGAN recipe's initialisation, and training through the autograd engine."""

import pytest
import torch
from torch import nn

from helpers import params, same
from playground.mnist.models import (CODE_CLASSES, IMAGE_DIM, MODELS, NUM_CLASSES, DCGANDiscriminator, DCGANGenerator,
                                     MLPDiscriminator, MLPGenerator, images_from_output, init_dcgan_weights,
                                     make_models, one_hot)
from playground.trainer import AutogradEngine, Hyper, Trainer, noise_sampler

Z = 16


def generator_input(batch: int, conditional: bool, labels=None) -> torch.Tensor:
    z = torch.randn(batch, Z)
    if not conditional:
        return z
    labels = torch.arange(batch) % NUM_CLASSES if labels is None else labels
    return torch.cat([z, one_hot(labels)], dim=1)


@pytest.mark.parametrize("conditional", [False, True])
@pytest.mark.parametrize("model", MODELS)
def test_shapes_and_pixel_range(model, conditional):
    """G: (B, z [+10]) -> (B, 784 [+10]) with pixels in [-1, 1]; D: that -> (B, 1) logits."""
    torch.manual_seed(0)
    G, D = make_models(model, Z, conditional)
    extra = NUM_CLASSES if conditional else 0
    x = G(generator_input(5, conditional))
    assert x.shape == (5, IMAGE_DIM + extra)
    assert x[:, :IMAGE_DIM].abs().max() <= 1
    assert D(x).shape == (5, 1)
    assert images_from_output(x).shape == (5, 1, 28, 28)


@pytest.mark.parametrize("model", MODELS)
def test_conditional_generator_passes_the_label_through_unchanged(model):
    """The conditional G appends exactly its input's one-hot label to the image it writes."""
    torch.manual_seed(0)
    G, _ = make_models(model, Z, conditional=True)
    labels = torch.tensor([3, 0, 9, 3, 7])
    x = G(generator_input(5, True, labels))
    assert torch.equal(x[:, IMAGE_DIM:], one_hot(labels))


@pytest.mark.parametrize("model", MODELS)
def test_conditional_networks_use_the_label(model):
    """The same z (or image) with another label gives another digit (or another logit)."""
    torch.manual_seed(0)
    G, D = make_models(model, Z, conditional=True)
    G.eval(), D.eval()
    z = torch.randn(4, Z)
    with torch.no_grad():
        a = G(torch.cat([z, one_hot(torch.full((4,), 1))], 1))
        b = G(torch.cat([z, one_hot(torch.full((4,), 8))], 1))
        assert not torch.allclose(a[:, :IMAGE_DIM], b[:, :IMAGE_DIM])
        relabelled = torch.cat([a[:, :IMAGE_DIM], b[:, IMAGE_DIM:]], 1)
        assert not torch.allclose(D(a), D(relabelled))


def test_images_from_output_drops_the_label():
    """Flat samples (B, 794) become images (B, 1, 28, 28) made of the first 784 values."""
    x = torch.arange(2 * (IMAGE_DIM + NUM_CLASSES), dtype=torch.float32).reshape(2, -1)
    images = images_from_output(x)
    assert images.shape == (2, 1, 28, 28)
    assert torch.equal(images.flatten(1), x[:, :IMAGE_DIM])


def test_dcgan_initialisation_follows_the_paper():
    """Conv and linear weights have std ≈ 0.02 and mean ≈ 0; batch-norm scales ≈ 1; biases 0."""
    torch.manual_seed(0)
    G, D = make_models("dcgan", 64, conditional=False)
    weights = [m.weight for net in (G, D) for m in net.modules()
               if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)) and m.weight.numel() >= 1000]
    assert len(weights) >= 4
    for w in weights:
        assert abs(w.std().item() - 0.02) < 0.002 and abs(w.mean().item()) < 0.002
    for net in (G, D):
        for m in net.modules():
            if isinstance(m, nn.modules.batchnorm._BatchNorm):
                assert abs(m.weight.mean().item() - 1) < 0.01 and 0 < m.weight.std().item() < 0.03
                assert torch.count_nonzero(m.bias) == 0
            if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)) and m.bias is not None:
                assert torch.count_nonzero(m.bias) == 0


def test_init_dcgan_weights_overrides_the_default_init():
    """PyTorch's default init (std ≈ 0.036 for this layer) is replaced by N(0, 0.02)."""
    torch.manual_seed(0)
    layer = nn.Linear(256, 512)
    assert layer.weight.std().item() > 0.03
    init_dcgan_weights(layer)
    assert abs(layer.weight.std().item() - 0.02) < 0.001


def test_width_scale_changes_the_networks():
    """Half the width gives fewer parameters; an unknown model name is refused."""
    count = lambda nets: sum(p.numel() for net in nets for p in net.parameters())  # noqa: E731
    for model in MODELS:
        assert count(make_models(model, Z, width_scale=0.5)) < count(make_models(model, Z))
    with pytest.raises(ValueError):
        make_models("resnet", Z)


def test_model_classes_take_the_documented_arguments():
    """The classes can be built directly with custom widths."""
    assert MLPGenerator(Z, hidden=(32,), conditional=True)(generator_input(2, True)).shape == (2, 794)
    assert MLPDiscriminator(hidden=(32,))(torch.zeros(2, IMAGE_DIM)).shape == (2, 1)
    assert DCGANGenerator(Z, base=8)(torch.randn(2, Z)).shape == (2, IMAGE_DIM)
    assert DCGANDiscriminator(base=8, conditional=True)(torch.zeros(2, 794)).shape == (2, 1)


def test_trainer_steps_a_dcgan_through_autograd_with_batch_norm_in_train_mode():
    """One iteration of the shared Trainer changes every weight of G and D, via the autograd engine,
    with every batch norm layer in training mode (batch statistics, running stats updated)."""
    torch.manual_seed(0)
    G, D = make_models("dcgan", Z, conditional=False, width_scale=0.25)
    real = torch.rand(64, IMAGE_DIM) * 2 - 1
    trainer = Trainer(G, D, lambda n, g: real[torch.randint(64, (n,), generator=g)], noise_sampler("normal", Z),
                      Hyper(k=1, lr_d=2e-4, lr_g=2e-4, momentum=0.5, optimizer="adam", batch=16), 0,
                      torch.device("cpu"))
    assert isinstance(trainer.engine, AutogradEngine)
    modes = []
    norms = [m for net in (G, D) for m in net.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    for m in norms:
        m.register_forward_hook(lambda module, args, out: modes.append(module.training))
    before_g, before_d = params(G), params(D)
    stats_before = [m.running_mean.clone() for m in norms]
    trainer.step_iteration()
    assert modes and all(modes)
    changed = lambda a, b: all(not torch.equal(x, y) for x, y in zip(a, b))  # noqa: E731
    assert changed(before_g, params(G)) and changed(before_d, params(D))
    assert not same(stats_before, [m.running_mean for m in norms])


@pytest.mark.parametrize("model", MODELS)
def test_discriminator_dropout_acts_in_training_only(model):
    """With d_dropout, D's logits vary from pass to pass in training mode and not in eval mode (the
    page's scores); without it, training-mode passes agree (DCGAN: batch statistics are per batch)."""
    torch.manual_seed(0)
    x = torch.rand(16, IMAGE_DIM) * 2 - 1
    _, plain = make_models(model, Z)
    _, dropped = make_models(model, Z, d_dropout=0.3)
    assert torch.equal(plain(x), plain(x))
    assert not torch.allclose(dropped(x), dropped(x))
    dropped.eval()
    with torch.no_grad():
        assert torch.equal(dropped(x), dropped(x))


@pytest.mark.parametrize("model", MODELS)
def test_an_infogan_pair_takes_a_code_and_reads_it_back(model):
    """With a code, G's input has CODE_CLASSES more columns (read back by code_of), its output is the
    image alone, and D's second head gives code logits from the same pass as D's logit."""
    torch.manual_seed(0)
    G, D = make_models(model, Z, conditional=False, code_dim=CODE_CLASSES)
    G.eval(), D.eval()
    codes = torch.tensor([4, 0, 9])
    z = torch.cat([torch.randn(3, Z), one_hot(codes)], 1)
    assert G.in_dim == Z + CODE_CLASSES and torch.equal(G.code_of(z), codes)
    with torch.no_grad():
        x = G(z)
        logit, code_logits = D.forward_with_code(x)
        assert x.shape == (3, IMAGE_DIM) and code_logits.shape == (3, CODE_CLASSES)
        assert torch.equal(logit, D(x))
        other = G(torch.cat([z[:, :Z], one_hot(torch.tensor([5, 5, 5]))], 1))
    assert not torch.allclose(x, other)  # the code changes the digit
    plain_g, plain_d = make_models(model, Z)
    assert plain_g.in_dim == Z and plain_d.code_head is None


def test_the_code_term_trains_q_to_read_the_code_and_is_left_out_of_the_losses(monkeypatch):
    """The autograd engine adds λ · CE(Q(G(z, c)), c) to the D and G updates: D's head gets a gradient
    only then, and the loss it reports is the objective's alone (the same with λ = 0)."""
    import playground.trainer as trainer_module
    torch.manual_seed(0)
    G, D = make_models("mlp", Z, code_dim=CODE_CLASSES)
    engine = AutogradEngine(G, D)
    real = torch.rand(8, IMAGE_DIM) * 2 - 1
    z = torch.cat([torch.randn(8, Z), one_hot(torch.arange(8))], 1)
    losses = Hyper().losses()
    head = [i for i, p in enumerate(engine.params_d) if any(p is q for q in D.code_head.parameters())]
    d_loss, d_grads = engine.d_grads(real, z, losses)
    g_loss, g_grads = engine.g_grads(z, losses)
    assert all(d_grads[i].abs().sum() > 0 for i in head)
    monkeypatch.setattr(trainer_module, "INFO_WEIGHT", 0.0)
    d_loss_0, d_grads_0 = engine.d_grads(real, z, losses)
    g_loss_0, g_grads_0 = engine.g_grads(z, losses)
    assert all(d_grads_0[i].abs().sum() == 0 for i in head)
    assert torch.allclose(d_loss, d_loss_0) and torch.allclose(g_loss, g_loss_0)
    assert not all(torch.allclose(a, b) for a, b in zip(g_grads, g_grads_0))
