"""Hand-written backprop (FusedMLP) against autograd, the reference answer."""

import pytest
import torch

from playground.models import ACTIVATIONS, MLP, FusedMLP, flatten_parameters


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("depth", [1, 3])
@pytest.mark.parametrize("in_dim, out_dim", [(2, 3), (1, 1), (2, 1)])  # one-wide layers take other kernels
def test_fused_forward_and_backward_match_autograd(activation, depth, in_dim, out_dim):
    torch.manual_seed(0)
    net = MLP(in_dim, out_dim, width=7, depth=depth, activation=activation)
    reference = [p.detach().clone() for p in net.parameters()]
    fused = FusedMLP(net)
    x = torch.randn(11, in_dim, requires_grad=True)
    grad_out = torch.randn(11, out_dim)
    x_before = x.detach().clone()

    out = net(x)  # (11, 3)
    expected_params = torch.autograd.grad(out, list(net.parameters()), grad_out, retain_graph=True)
    expected_input = torch.autograd.grad(out, x, grad_out)[0]

    with torch.no_grad():
        fused_out, inputs = fused.forward(x.detach())
        flat_grad = fused.backward(inputs, grad_out).clone()
        input_grad = fused.backward(inputs, grad_out, weight_grads=False)
    torch.testing.assert_close(fused_out, out.detach())
    torch.testing.assert_close(flat_grad, torch.cat([g.reshape(-1) for g in expected_params]))
    torch.testing.assert_close(input_grad, expected_input)
    torch.testing.assert_close(x.detach(), x_before)  # activations in place never touch the input
    # flattening kept the values
    for p, q in zip(net.parameters(), reference):
        torch.testing.assert_close(p.detach(), q)


def test_flat_parameters_are_the_module_parameters():
    """An in-place update of the flat tensor is what the module computes with."""
    torch.manual_seed(0)
    net = MLP(1, 1, width=4, depth=1, activation="relu")
    flat = flatten_parameters(net)
    x = torch.randn(5, 1)
    before = net(x).detach()
    with torch.no_grad():
        flat.add_(0.5)
    assert not torch.allclose(net(x), before)
    assert flat.numel() == sum(p.numel() for p in net.parameters())


def test_mlp_shapes_and_unknown_activation():
    net = MLP(3, 2, width=5, depth=2, activation="tanh")
    assert net(torch.zeros(4, 3)).shape == (4, 2)
    assert len(net.linears) == 3
    with pytest.raises(ValueError):
        MLP(1, 1, 4, 1, "sigmoid")
