"""The MNIST page's latent-space box: off by default (nothing drawn), then the walk, the sliders
and the memorisation check, each drawing its picture without an exception."""

import apptest_helpers as h

PAGE = "app_pages/lab_mnist.py"


def captions(at) -> list[str]:
    return [img.caption for element in at.get("image") for img in element.proto.imgs]


def test_the_latent_box_draws_each_view_only_when_open():
    at = h.open_lab(PAGE, {"batch": "16", "latent_dim": "8"})
    closed = len(captions(at))
    at.toggle(key="mnist.latent:open").set_value(True).run()
    assert not at.exception and len(captions(at)) == closed + 1  # the walk's two strips, one picture
    at.number_input(key="mnist.latent:second").set_value(42).run()
    assert "From noise vector 0 to 42 (digit 3 to digit 8, iteration 0)" in captions(at)[-1]
    at.segmented_control(key="mnist.latent:section").set_value("sliders").run()
    assert not at.exception and captions(at)[-1].startswith("G(z) with z[0…3] as set")
    at.slider(key="mnist.latent:z0:0").set_value(2.5).run()
    assert not at.exception
    at.segmented_control(key="mnist.latent:section").set_value("check").run()
    assert len(captions(at)) == closed  # nothing until asked
    at.button(key="mnist.latent:find").click().run()
    assert not at.exception and "each row: a generated digit, then its nearest training digits" in captions(at)[-1]
