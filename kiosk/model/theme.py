"""Colours and sizes of the kiosk: large, calm, and at least 7:1 contrast for every text.

Qt-free: the stylesheet is a string, and the contrast of every colour pair is tested.
"""

from __future__ import annotations

from dataclasses import dataclass

TEXT_SIZES = (100, 150, 200)  # percent; 200% is WCAG's "resize text" bar
CONTROLS_MAX_SIZE = 125  # percent: the largest the buttons around the content's text grow
# The keyboard's focus ring (WCAG 2.4.7, 2.4.13), px. Every button keeps room for it in every
# state (a transparent border on filled buttons, padding given back on framed ones), so that
# focus changes a colour and never the room inside: the focused "Roep een buddy" lost its last
# letter when the ring was added on focus only.
RING = 5
FRAME = 3  # px: the frame of the outlined buttons (Terug, Ik ben klaar, the languages)


@dataclass(frozen=True)
class Theme:
    name: str = "normal"
    background: str = "#FFFFFF"
    text: str = "#1A1A1A"
    muted_text: str = "#3D3D3D"
    primary: str = "#0B3D91"
    primary_text: str = "#FFFFFF"
    help: str = "#1B5E20"
    help_text: str = "#FFFFFF"
    notice: str = "#FFF4CC"
    notice_text: str = "#1A1A1A"
    warning: str = "#7A0000"
    warning_text: str = "#FFFFFF"
    disabled: str = "#E6E6E6"
    disabled_text: str = "#1A1A1A"
    focus: str = "#F2B705"
    base_pt: int = 20
    title_pt: int = 36
    primary_height_px: int = 80

    def foreground_pairs(self) -> list[tuple[str, str, str]]:
        """Every (name, text colour, background colour) pair the screens use."""
        return [
            ("text", self.text, self.background),
            ("muted_text", self.muted_text, self.background),
            ("primary", self.primary_text, self.primary),
            ("outlined", self.primary, self.background),
            ("help", self.help_text, self.help),
            ("notice", self.notice_text, self.notice),
            ("warning", self.warning_text, self.warning),
            ("disabled", self.disabled_text, self.disabled),
        ]

    def stylesheet(self, text_size: int = 100) -> str:
        scale = text_size / 100
        base = round(self.base_pt * scale)
        big = round((self.base_pt + 8) * scale)
        # The titles grow less than the rest: they are already large, and must leave room.
        title = round(max(self.title_pt, self.base_pt * scale * 1.3))
        step_title = round(max(self.base_pt + 8, self.base_pt * scale * 1.15))
        # The buttons around the content (the action bar, and on the task screen the bar on
        # top and Previous / Next; the print screen's choices) grow to 125 % at most: the
        # step's text, the web page and the print screen's words keep the room, and the action
        # bar stays one row ("Ik ben klaar — alles wissen" and "Roep een buddy" fill 1366 px).
        cap = round((self.base_pt + 8) * CONTROLS_MAX_SIZE / 100)
        control, big_control = min(base, cap), min(big, cap)
        # "No buddy now" is said big from the start (it decides whether to call at all); at
        # larger sizes it grows with the text, not twice over.
        duty = max(base, self.base_pt + 8)
        return f"""
        QWidget {{ background: {self.background}; color: {self.text}; font-size: {base}pt; }}
        QLabel#title {{ font-size: {title}pt; font-weight: bold; }}
        QLabel#muted {{ color: {self.muted_text}; }}
        QLabel#step_title {{ font-size: {step_title}pt; font-weight: bold; }}
        QLabel#notice, QLabel#banner {{ background: {self.notice}; color: {self.notice_text};
                         padding: 14px; border-radius: 8px; }}
        QLabel#help_status {{ background: {self.notice}; color: {self.notice_text};
                              padding: 14px; border-radius: 8px;
                              font-size: {big}pt; font-weight: bold; }}
        QLabel#duty {{ background: {self.notice}; color: {self.notice_text};
                       padding: 14px; border-radius: 8px; font-weight: bold;
                       font-size: {duty}pt; }}
        QWidget#overlay {{ background: {self.background}; }}
        QFrame#card {{ background: {self.notice}; border: 4px solid {self.primary};
                       border-radius: 16px; }}
        QFrame#card QLabel {{ background: {self.notice}; color: {self.notice_text};
                              font-size: {base}pt; }}
        QFrame#card QLabel#title {{ font-size: {title}pt; font-weight: bold; }}
        QFrame#card QPushButton, QFrame#card QPushButton#primary {{ font-size: {big_control}pt; }}
        QWidget#locked QLabel {{ font-size: {big}pt; }}
        QPushButton {{ background: {self.primary}; color: {self.primary_text};
                       border: {RING}px solid transparent; border-radius: 10px;
                       padding: {10 - RING}px {24 - RING}px; outline: none;
                       min-height: 48px; min-width: 48px; }}
        QPushButton:focus, QPushButton#primary:focus, QPushButton#help:focus,
        QPushButton#tile:focus {{ border-color: {self.focus}; }}
        QPushButton:disabled {{ background: {self.disabled}; color: {self.disabled_text}; }}
        QPushButton#primary {{ min-height: {self.primary_height_px}px; font-size: {big}pt;
                               font-weight: bold; }}
        QPushButton#help {{ background: {self.help}; color: {self.help_text};
                            min-height: {self.primary_height_px}px;
                            font-size: {big}pt; font-weight: bold; }}
        QPushButton#help:disabled {{ background: {self.disabled}; color: {self.disabled_text}; }}
        QPushButton#tile {{ min-height: 120px; padding: 0px; }}
        QPushButton#tile QLabel {{ background: transparent; color: {self.primary_text};
                                   font-size: {base}pt; font-weight: bold; }}
        QPushButton#language, QPushButton#secondary, QPushButton#toggle,
        QPushButton#site {{
            background: {self.background}; color: {self.primary};
            border: {FRAME}px solid {self.primary}; padding: 10px 24px; min-height: 56px; }}
        QPushButton#language[current="true"], QPushButton#toggle:checked,
        QPushButton#toggle[current="true"] {{
            background: {self.primary}; color: {self.primary_text}; }}
        QPushButton#view_switch {{ background: {self.background}; color: {self.primary};
                                   border: {FRAME}px solid {self.primary}; padding: 10px 24px;
                                   min-height: 56px; font-weight: bold; }}
        QPushButton#view_switch:checked {{ background: {self.primary};
                                           color: {self.primary_text}; }}
        QPushButton#done {{ background: {self.background}; color: {self.primary};
                            border: {FRAME}px solid {self.primary}; padding: 10px 24px;
                            min-height: 56px; }}
        QPushButton#language:focus, QPushButton#secondary:focus, QPushButton#toggle:focus,
        QPushButton#site:focus, QPushButton#view_switch:focus, QPushButton#done:focus {{
            border: {RING}px solid {self.focus};
            padding: {10 - RING + FRAME}px {24 - RING + FRAME}px; }}
        QPushButton[current="true"] {{ background: {self.primary}; color: {self.primary_text}; }}
        QScrollBar:vertical {{ width: 28px; background: {self.disabled}; border: none; }}
        QScrollBar:horizontal {{ height: 28px; background: {self.disabled}; border: none; }}
        QScrollBar::handle {{ background: {self.primary}; border-radius: 8px; margin: 4px; }}
        QScrollBar::handle:vertical {{ min-height: 56px; }}
        QScrollBar::handle:horizontal {{ min-width: 56px; }}
        QScrollBar::add-line, QScrollBar::sub-line {{ width: 0px; height: 0px; border: none; }}
        QScrollBar::add-page, QScrollBar::sub-page {{ background: none; }}
        QWidget#access_bar QPushButton, QWidget#browser_bar QPushButton,
        QWidget#picker_bar QPushButton, QLabel#browser_site,
        QWidget#viewer_bar QPushButton {{ font-size: {self.base_pt}pt; }}
        QWidget#access_bar QPushButton {{ padding: 6px 14px; min-height: 48px; }}
        QWidget#access_bar QPushButton:focus {{
            padding: {6 - RING + FRAME}px {14 - RING + FRAME}px; }}
        QWidget#access_bar QLabel {{ font-size: {self.base_pt}pt; }}
        QLabel#browser_site {{ font-weight: bold; }}
        QWidget#action_bar QPushButton, QWidget#task_bar QPushButton,
        QWidget#task_player QPushButton, QWidget#print_screen QPushButton,
        QWidget#print_choices QLabel {{ font-size: {control}pt; }}
        QWidget#action_bar QPushButton#primary, QWidget#action_bar QPushButton#help,
        QWidget#action_bar QLabel#help_status, QWidget#task_bar QPushButton#view_switch,
        QWidget#task_player QPushButton#primary, QWidget#print_screen QPushButton#primary,
        QWidget#print_choices QLabel#step_title {{ font-size: {big_control}pt; }}
        """


NORMAL = Theme()
HIGH_CONTRAST = Theme(
    name="high_contrast",
    background="#000000",
    text="#FFFFFF",
    muted_text="#E6E6E6",
    primary="#FFD700",
    primary_text="#000000",
    help="#00E676",
    help_text="#000000",
    notice="#1A1A1A",
    notice_text="#FFFF00",
    warning="#FFFF00",
    warning_text="#000000",
    disabled="#4D4D4D",
    disabled_text="#FFFFFF",
    focus="#00BFFF",
)
THEMES = (NORMAL, HIGH_CONTRAST)


def relative_luminance(colour: str) -> float:
    """WCAG 2 relative luminance of a ``#RRGGBB`` colour."""

    def channel(hex_pair: str) -> float:
        value = int(hex_pair, 16) / 255
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(colour[i : i + 2]) for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(foreground: str, background: str) -> float:
    lighter, darker = sorted(
        (relative_luminance(foreground), relative_luminance(background)), reverse=True
    )
    return (lighter + 0.05) / (darker + 0.05)
