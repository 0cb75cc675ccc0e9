"""Generator and discriminator networks.

:class:`MLP` is an ordinary ``nn.Module`` (used for evaluation, by the autograd engine and for
saving). :class:`FusedMLP` runs the same network with hand-written backpropagation: the toy labs' step is ~7 MFLOP, so PyTorch's per-op autograd bookkeeping, not
arithmetic, is what limits speed there. Tests check these against autograd.
"""

from __future__ import annotations

import functools

import torch
import torch.nn.functional as F
from torch import nn

ACTIVATIONS = ("relu", "leaky_relu", "tanh")
LEAKY_SLOPE = 0.2


class MLP(nn.Module):
    """in_dim -> depth hidden layers of ``width`` -> out_dim, linear output (a logit for D)."""

    def __init__(self, in_dim: int, out_dim: int, width: int, depth: int, activation: str):
        super().__init__()
        if activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {ACTIVATIONS}")
        sizes = [in_dim] + [width] * depth + [out_dim]
        self.linears = nn.ModuleList(nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:]))
        self.activation = activation

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # (B, in_dim) -> (B, out_dim)
        *hidden, last = self.linears
        for linear in hidden:
            x = _activate(linear(x), self.activation)
        return last(x)

    def weights(self) -> list[tuple[torch.Tensor, torch.Tensor]]:
        return [(lin.weight, lin.bias) for lin in self.linears]



def multiply_adds(net: nn.Module, in_dim: int) -> int:
    """Multiply-adds of one sample's forward pass through ``net``'s linear and convolution layers
    (what the work of a training step grows with), counted from the layers' shapes.

    Build ``net`` on the meta device (no random numbers drawn for initial weights); it is given
    uninitialised CPU memory for one forward pass (a forward pass on the meta device itself costs
    ~1 s the first time in a process)."""
    total = 0

    def count(layer: nn.Module, inputs: tuple, output: torch.Tensor) -> None:
        nonlocal total
        if isinstance(layer, nn.Linear):
            total += layer.in_features * layer.out_features
        elif isinstance(layer, nn.ConvTranspose2d):  # every input pixel meets the whole kernel
            total += layer.weight.numel() * inputs[0][0, 0].numel()
        elif isinstance(layer, nn.Conv2d):  # every output value is one kernel's dot product
            total += layer.weight[0].numel() * output[0].numel()

    layers = (nn.Linear, nn.Conv2d, nn.ConvTranspose2d)
    hooks = [m.register_forward_hook(count) for m in net.modules() if isinstance(m, layers)]
    try:
        with torch.no_grad():
            net.to_empty(device="cpu").eval()(torch.zeros(1, in_dim))
    finally:
        for hook in hooks:
            hook.remove()
    return total


@functools.lru_cache(maxsize=256)
def mlp_pair_multiply_adds(latent_dim: int, data_dim: int, width: int, depth: int) -> int:
    """Multiply-adds per sample through a toy lab's G (z -> x) and D (x -> logit)."""
    with torch.device("meta"):
        G = MLP(latent_dim, data_dim, width, depth, "relu")
        D = MLP(data_dim, 1, width, depth, "relu")
    return multiply_adds(G, latent_dim) + multiply_adds(D, data_dim)

def _activate(x: torch.Tensor, activation: str) -> torch.Tensor:
    if activation == "relu":
        return torch.relu(x)
    if activation == "leaky_relu":
        return F.leaky_relu(x, LEAKY_SLOPE)
    return torch.tanh(x)


_aten = torch.ops.aten
# d(activation)/d(input) applied to a gradient, written in terms of the activation's *output*.
_ACTIVATION_BACKWARD = {
    "relu": lambda grad, out: _aten.threshold_backward.default(grad, out, 0),
    "leaky_relu": lambda grad, out: _aten.leaky_relu_backward.default(grad, out, LEAKY_SLOPE, True),
    "tanh": _aten.tanh_backward.default,
}


def flatten_parameters(net: nn.Module) -> torch.Tensor:
    """Make every parameter of ``net`` a view into one flat tensor, which is returned.

    An optimizer step on the flat tensor is then one kernel instead of one per parameter. Call it
    after the module has been moved to its device (``Module.to`` would give each parameter its own
    storage again); the Parameter objects themselves are kept, so references to them stay valid.
    """
    params = list(net.parameters())
    flat = torch.cat([p.detach().reshape(-1) for p in params])
    offset = 0
    for p in params:
        p.data = flat[offset: offset + p.numel()].view_as(p)
        offset += p.numel()
    return flat


class FusedMLP:
    """Forward and backward passes of an :class:`MLP` with hand-written backprop.

    The parameters are flattened into ``self.flat`` (see :func:`flatten_parameters`) and the
    backward pass writes every gradient into the matching view of ``self.flat_grad``, so the
    optimizer updates each network with a few whole-tensor kernels. Call under ``torch.no_grad()``.
    """

    def __init__(self, net: MLP):
        self.flat = flatten_parameters(net)
        self.flat_grad = torch.zeros_like(self.flat)
        self.layers = net.weights()
        offset, self.grad_views = 0, []
        for w, b in self.layers:
            dw = self.flat_grad[offset: offset + w.numel()].view_as(w)
            offset += w.numel()
            db = self.flat_grad[offset: offset + b.numel()]
            offset += b.numel()
            self.grad_views.append((dw, db))
        self.activation = net.activation
        self.act_backward = _ACTIVATION_BACKWARD[net.activation]

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, list[torch.Tensor]]:
        """Output (B, out_dim) and each layer's input, which :meth:`backward` needs."""
        inputs = [x]
        for w, b in self.layers[:-1]:
            x = _activate(F.linear(x, w, b), self.activation)
            inputs.append(x)
        w, b = self.layers[-1]
        return F.linear(x, w, b), inputs

    def backward(self, inputs: list[torch.Tensor], grad_out: torch.Tensor, weight_grads: bool = True):
        """Backpropagate ``grad_out`` (B, out_dim).

        With ``weight_grads``, fills ``self.flat_grad`` (same layout as ``self.flat``) and returns
        it; without, returns the gradient w.r.t. the input (the G step needs only D's).
        """
        grad = grad_out
        for layer in range(len(self.layers) - 1, -1, -1):
            x_in = inputs[layer]
            if weight_grads:
                dw, db = self.grad_views[layer]
                torch.mm(grad.t(), x_in, out=dw)
                torch.sum(grad, 0, out=db)
                if layer == 0:
                    return self.flat_grad
            grad = torch.mm(grad, self.layers[layer][0])  # (B, in)
            if layer > 0:
                grad = self.act_backward(grad, x_in)
        return grad
