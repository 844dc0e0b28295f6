"""Plot panels: a log x axis gives each decade the same width and ticks both ends."""

from PIL import Image, ImageDraw, ImageFont

from pixel_zoo import plot_panels


def _axes(x_range, log_x):
    figure = Image.new("RGB", plot_panels.PANEL, "white")
    draw, font = ImageDraw.Draw(figure), ImageFont.load_default()
    return plot_panels.axes(draw, font, (0, 0), "t", x_range, (80.0, 90.0), "minutes",
                            log_x=log_x)


def test_a_log_axis_gives_every_decade_the_same_width_within_the_frame():
    box = _axes((4.0, 1000.0), log_x=True)
    (x5, _), (x50, _), (x500, _), (x700, _) = (box(x, 85.0) for x in (5.0, 50.0, 500.0, 700.0))
    assert abs((x50 - x5) - (x500 - x50)) < 1e-6
    left, right = plot_panels.MARGIN[0], plot_panels.PANEL[0] - plot_panels.MARGIN[2]
    assert left < x5 < x50 < x500 < x700 < right
    assert x50 - x5 > (right - left) / 3  # 5 to 50 minutes: a third of the panel, not a sliver
    linear = _axes((4.0, 1000.0), log_x=False)
    assert linear(50.0, 85.0)[0] - linear(5.0, 85.0)[0] < (right - left) / 20


def test_log_ticks_are_1_2_5_per_decade_or_every_unit_where_that_is_too_few():
    assert plot_panels.log_ticks(4.0, 705.4) == [5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0]
    assert plot_panels.log_ticks(68.3, 151.7) == [70.0, 80.0, 90.0, 100.0]
    assert plot_panels.log_ticks(0.3, 4.0) == [0.5, 1.0, 2.0]
