"""GAN Playground's core: targets, models, Algorithm 1, metrics and figures, with no Streamlit."""
