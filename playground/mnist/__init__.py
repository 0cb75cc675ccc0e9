"""MNIST: the data (IDX files, a checked download, the bundled subset), the GAN networks, and the
offline digit classifier behind the quality scores."""
