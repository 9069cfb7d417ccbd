"""Every text colour pair of the kiosk theme reaches WCAG AAA (7:1)."""

from kiosk.model.theme import THEMES, contrast_ratio


def test_contrast_formula_matches_known_values() -> None:
    assert round(contrast_ratio("#000000", "#FFFFFF"), 1) == 21.0
    assert round(contrast_ratio("#777777", "#FFFFFF"), 2) == 4.48


def test_every_text_pair_is_at_least_7_to_1() -> None:
    for theme in THEMES:
        for name, foreground, background in theme.foreground_pairs():
            ratio = contrast_ratio(foreground, background)
            assert ratio >= 7.0, f"{theme.name} {name}: {ratio:.2f}:1"


def test_text_is_large() -> None:
    theme = THEMES[0]
    assert theme.base_pt >= 18 and theme.primary_height_px >= 60
