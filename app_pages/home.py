"""Home: what a GAN is, in one screen, and where to go next."""

import streamlit as st

from playground import ui
from playground.device import describe, select_device

st.title("GAN Playground")
st.markdown(
    "A **generative adversarial network** is two networks trained against each other "
    "(Goodfellow et al., 2014):\n"
    "- the **generator** G turns random noise z into samples x = G(z), trying to make them look like the data;\n"
    "- the **discriminator** D looks at a sample and outputs D(x), its probability that x came from the "
    "data rather than from G.\n\n"
    "They play the minimax game"
)
st.latex(r"\min_G \max_D \; V(D, G) = \mathbb{E}_{x \sim p_{data}}[\log D(x)]"
         r" + \mathbb{E}_{z \sim p_z}[\log(1 - D(G(z)))]")
st.markdown("For a fixed G the best discriminator is")
st.latex(r"D^*(x) = \frac{p_{data}(x)}{p_{data}(x) + p_g(x)},")
st.markdown(
    "and at the global optimum, the game's **Nash equilibrium**, p_g = p_data: D outputs ½ everywhere "
    "and V = −log 4 ≈ −1.386, and neither player can gain by moving alone. D = ½ is not proof of it: "
    "a discriminator too weak to tell p_g from p_data says ½ too (the 1-D lab's *D too weak* preset). "
    "Training alternates **k** discriminator steps with one generator step (Algorithm 1 of the paper); "
    "in practice G maximises log D(G(z)) instead of minimising log(1 − D(G(z))), which saturates "
    "early on. The labs let you change k, the learning rates, momentum and the loss while training "
    "runs, and watch what happens."
)
st.subheader("Labs")
st.page_link("app_pages/lab_1d.py", label="1-D lab — Figure 1 of the paper, trained live",
             icon=":material/show_chart:")
st.page_link("app_pages/lab_2d.py", label="2-D lab — the discriminator's landscape and mode collapse",
             icon=":material/scatter_plot:")
st.page_link("app_pages/lab_mnist.py", label="MNIST lab — digits emerging from noise, scored by a classifier",
             icon=":material/draw:")
st.subheader("Lessons")
st.caption("A lesson runs a lab step by step: it sets the settings, trains until something happens, then asks the "
           "class a question. Each lab page also lists its lessons and takes an uploaded lesson file.")
ui.lesson_links()
st.caption(f"Device in use: {describe(select_device('auto'))}")
