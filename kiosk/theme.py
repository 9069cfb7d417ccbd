"""Colours and sizes of the kiosk: large, calm, and at least 7:1 contrast for every text."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Theme:
    background: str = "#FFFFFF"
    text: str = "#1A1A1A"
    muted_text: str = "#3D3D3D"
    primary: str = "#0B3D91"
    primary_text: str = "#FFFFFF"
    help: str = "#1B5E20"
    help_text: str = "#FFFFFF"
    notice: str = "#FFF4CC"
    notice_text: str = "#1A1A1A"
    base_pt: int = 20
    title_pt: int = 40
    primary_height_px: int = 80

    def foreground_pairs(self) -> list[tuple[str, str, str]]:
        """Every (name, text colour, background colour) pair the screens use."""
        return [
            ("text", self.text, self.background),
            ("muted_text", self.muted_text, self.background),
            ("primary", self.primary_text, self.primary),
            ("help", self.help_text, self.help),
            ("notice", self.notice_text, self.notice),
            ("disabled", self.text, "#E6E6E6"),
        ]

    def stylesheet(self) -> str:
        return f"""
        QWidget {{ background: {self.background}; color: {self.text};
                   font-size: {self.base_pt}pt; }}
        QLabel#title {{ font-size: {self.title_pt}pt; font-weight: bold; }}
        QLabel#muted {{ color: {self.muted_text}; }}
        QLabel#notice {{ background: {self.notice}; color: {self.notice_text};
                         padding: 16px; border-radius: 8px; }}
        QPushButton {{ background: {self.primary}; color: {self.primary_text};
                       border: none; border-radius: 10px; padding: 12px 28px;
                       min-height: 48px; }}
        QPushButton:focus {{ outline: none; border: 4px solid #F2B705; }}
        QPushButton#primary {{ min-height: {self.primary_height_px}px;
                               font-size: {self.base_pt + 8}pt; font-weight: bold; }}
        QPushButton#help {{ background: {self.help}; color: {self.help_text};
                            min-height: {self.primary_height_px + 20}px;
                            font-size: {self.base_pt + 10}pt; font-weight: bold; }}
        QPushButton:disabled {{ background: #E6E6E6; color: {self.text}; }}
        QLabel#help_status {{ background: {self.notice}; color: {self.notice_text};
                              padding: 18px; border-radius: 8px;
                              font-size: {self.base_pt + 8}pt; font-weight: bold; }}
        QPushButton#language {{ background: {self.background}; color: {self.primary};
                                border: 3px solid {self.primary}; min-height: 48px; }}
        QPushButton#language:checked {{ background: {self.primary}; color: {self.primary_text}; }}
        QPushButton#secondary {{ background: {self.background}; color: {self.primary};
                                 border: 3px solid {self.primary}; min-height: 60px; }}
        """


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
