"""GAN Playground: `streamlit run app.py`."""

import logging

import streamlit as st

from playground.device import limit_threads

PAGES = [  # adding a lab is one line
    st.Page("app_pages/home.py", title="Home", icon=":material/home:", default=True),
    st.Page("app_pages/lab_1d.py", title="1-D lab", icon=":material/show_chart:"),
    st.Page("app_pages/lab_2d.py", title="2-D lab", icon=":material/scatter_plot:"),
    st.Page("app_pages/lab_mnist.py", title="MNIST lab", icon=":material/draw:"),
]


def main() -> None:
    st.set_page_config(page_title="GAN Playground", page_icon=":material/casino:", layout="wide")
    logging.basicConfig(level=logging.INFO)
    limit_threads(1)
    st.navigation(PAGES).run()


main()
