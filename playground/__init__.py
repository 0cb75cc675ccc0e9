"""GAN Playground. The lab-agnostic engine is the top-level modules; targets/, mnist/, figures/ and
labs/ build on it without Streamlit; ui/ is the Streamlit side (see README, "How the code is laid out")."""
