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
# The activation in place, on a fresh pre-activation tensor (no second tensor allocated).
_ACTIVATION_INPLACE = {
    "relu": torch.relu_,
    "leaky_relu": lambda x: F.leaky_relu_(x, LEAKY_SLOPE),
    "tanh": torch.tanh_,
}
# d(activation)/d(input) applied to a gradient, written in terms of the activation's *output*.
_ACTIVATION_BACKWARD = {  # (grad, out, into): into ← grad · act'(…) (into may be grad)
    "relu": lambda grad, out, into: _aten.threshold_backward.grad_input(grad, out, 0, grad_input=into),
    "leaky_relu": lambda grad, out, into: _aten.leaky_relu_backward.grad_input(grad, out, LEAKY_SLOPE, True,
                                                                                 grad_input=into),
    "tanh": lambda grad, out, into: _aten.tanh_backward.grad_input(grad, out, grad_input=into),
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
    optimizer updates each network with one kernel. Call under ``torch.no_grad()``.

    At the toy labs' sizes a kernel's fixed cost outweighs its arithmetic, so the passes launch as
    few as they can and allocate nothing: every layer's output and input gradient goes into a
    buffer kept per batch size (a forward pass's results stay valid until the next forward pass
    of this network with the same batch size), activations run in place, a one-wide first or last
    layer (the 1-D lab's z and x, every D's logit) is a broadcast multiply rather than a matrix
    product, and a narrow layer's weight gradient is computed transposed, which MKL does ~3×
    faster. ``python -m playground bench`` measures the result against a plain PyTorch loop.
    """

    WORKSPACES = 4  # batch sizes whose buffers are kept (a D step's m and 2m, a G step's m, one spare)

    def __init__(self, net: MLP):
        self.flat = flatten_parameters(net)
        self.flat_grad = torch.zeros_like(self.flat)
        # (W, b, Wᵀ) as views of the flat tensor, which needs no autograd bookkeeping (the module's
        # own parameters do, even under no_grad), and (dW, db) as views of the flat gradient.
        self.layers, self.grad_views, offset = [], [], 0
        for linear in net.linears:
            out_dim, in_dim = linear.weight.shape
            w = self.flat[offset: offset + out_dim * in_dim].view(out_dim, in_dim)
            dw = self.flat_grad[offset: offset + out_dim * in_dim].view(out_dim, in_dim)
            offset += out_dim * in_dim
            b, db = self.flat[offset: offset + out_dim], self.flat_grad[offset: offset + out_dim]
            offset += out_dim
            self.layers.append((w, b, w.t()))
            self.grad_views.append((dw, db))
        self.activation = net.activation
        self.act_inplace = _ACTIVATION_INPLACE[net.activation]
        self.act_backward = _ACTIVATION_BACKWARD[net.activation]
        self.outer_first = self.layers[0][0].shape[1] == 1  # (B, 1) input: x·Wᵀ is an outer product
        self.outer_last = self.layers[-1][0].shape[0] == 1  # (B, 1) output: its input gradient is one
        self._workspaces: dict[int, list[tuple[torch.Tensor, torch.Tensor]]] = {}

    def _workspace(self, rows: int) -> list[tuple[torch.Tensor, torch.Tensor]]:
        """Per layer, (output, input gradient) buffers for a batch of ``rows``."""
        buffers = self._workspaces.get(rows)
        if buffers is None:
            if len(self._workspaces) >= self.WORKSPACES:
                self._workspaces.clear()
            new = lambda cols: self.flat.new_empty(rows, cols)  # noqa: E731
            buffers = [(new(w.shape[0]), new(w.shape[1])) for w, _, _ in self.layers]
            self._workspaces[rows] = buffers
        return buffers

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, list[torch.Tensor]]:
        """Output (B, out_dim) and each layer's input, which :meth:`backward` needs.

        The output and the inputs are buffers that the next forward pass with the same batch size
        overwrites."""
        buffers = self._workspace(x.shape[0])
        inputs = [x]
        last = len(self.layers) - 1
        for layer, (w, b, w_t) in enumerate(self.layers):
            out = buffers[layer][0]
            if layer == 0 and self.outer_first:
                torch.addcmul(b, x, w_t, out=out)  # b + x ⊗ w, (B, 1) × (1, width)
            else:
                torch.addmm(b, x, w_t, out=out)
            if layer == last:
                return out, inputs
            self.act_inplace(out)
            inputs.append(out)
            x = out
        raise AssertionError("unreachable")

    def backward(self, inputs: list[torch.Tensor], grad_out: torch.Tensor, weight_grads: bool = True):
        """Backpropagate ``grad_out`` (B, out_dim).

        With ``weight_grads``, fills ``self.flat_grad`` (same layout as ``self.flat``) and returns
        it; without, returns the gradient w.r.t. the input (the G step needs only D's), in a buffer
        that the next backward pass with the same batch size overwrites.
        """
        buffers = self._workspace(grad_out.shape[0])
        grad = grad_out
        last = len(self.layers) - 1
        for layer in range(last, -1, -1):
            x_in = inputs[layer]
            w = self.layers[layer][0]
            if weight_grads:
                dw, db = self.grad_views[layer]
                if 1 < w.shape[1] < w.shape[0]:  # a narrow input: MKL is ~3× faster on xᵀ·grad than on gradᵀ·x
                    dw.copy_(torch.mm(x_in.t(), grad).t())
                else:
                    torch.mm(grad.t(), x_in, out=dw)
                torch.sum(grad, 0, out=db)
                if layer == 0:
                    return self.flat_grad
            out = buffers[layer][1]
            if layer == last and self.outer_last:
                torch.mul(grad, w, out=out)  # (B, 1) × (1, in): an outer product
            else:
                torch.mm(grad, w, out=out)  # (B, in)
            if layer > 0:
                self.act_backward(out, x_in, out)
            grad = out
        return grad
