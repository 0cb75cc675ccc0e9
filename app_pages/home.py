"""Home: what a GAN is, in one screen, and where to go next."""

import streamlit as st

from playground.device import describe, select_device

st.title("GAN Playground")
st.markdown(
    """
A **generative adversarial network** is two networks trained against each other
(Goodfellow et al., 2014):

- the **generator** G turns random noise z into samples x = G(z), trying to make them look like the data;
- the **discriminator** D looks at a sample and outputs D(x), its probability that x came from the data
  rather than from G.

They play the minimax game

$$\\min_G \\max_D \\; V(D, G) = \\mathbb{E}_{x \\sim p_{data}}[\\log D(x)] +
\\mathbb{E}_{z \\sim p_z}[\\log(1 - D(G(z)))].$$

For a fixed G the best discriminator is $D^*(x) = \\dfrac{p_{data}(x)}{p_{data}(x) + p_g(x)}$; at the
global optimum $p_g = p_{data}$, D outputs ½ everywhere and $V = -\\log 4$.
Training alternates **k** discriminator steps with one generator step (Algorithm 1).
"""
)
st.page_link("app_pages/lab_1d.py", label="1-D lab — watch Figure 1 of the paper happen live", icon=":material/show_chart:")
st.caption(f"Device in use: {describe(select_device('auto'))}")
