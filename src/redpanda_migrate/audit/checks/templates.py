"""Checks of Django templates: "Templates" and "Frontend Standards" (no inline CSS or JS, CSRF).

Templates are read with the standard library's HTML parser; Django tags are plain text to it,
which is what lets ``{% csrf_token %}`` be found inside a form.
"""

from __future__ import annotations

from html.parser import HTMLParser

from redpanda_migrate.audit.model import AuditInput, Check, CheckOutcome, Place


class _TemplateScanner(HTMLParser):
    """Collect inline styles and scripts, and POST forms without ``{% csrf_token %}``."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.inline: list[tuple[int, str]] = []
        self.unprotected_forms: list[int] = []
        self._form_line: int | None = None
        self._form_protected = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        line = self.getpos()[0]
        names = {name.lower(): value for name, value in attrs}
        if tag == "style":
            self.inline.append((line, "<style> block: move the CSS to a .css file"))
        if tag == "script" and "src" not in names:
            self.inline.append((line, "inline <script>: move the JS to a .js file"))
        if "style" in names:
            self.inline.append((line, f"style= attribute on <{tag}>: use a CSS class"))
        handlers = sorted(name for name in names if name.startswith("on"))
        if handlers:
            self.inline.append((line, f"inline handler {handlers[0]}= on <{tag}>: use a .js file"))
        if tag == "form" and (names.get("method") or "").lower() == "post":
            self._form_line, self._form_protected = line, False

    def handle_data(self, data: str) -> None:
        if self._form_line is not None and "csrf_token" in data:
            self._form_protected = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self._form_line is not None:
            if not self._form_protected:
                self.unprotected_forms.append(self._form_line)
            self._form_line = None


def _scan(project: AuditInput) -> dict[str, _TemplateScanner]:
    return project.shared("templates", lambda: _scan_all(project))


def _scan_all(project: AuditInput) -> dict[str, _TemplateScanner]:
    scanned = {}
    for path in project.template_files:
        text = project.text(path)
        if text is None:
            continue
        scanner = _TemplateScanner()
        try:
            scanner.feed(text)
            scanner.close()
        except (AssertionError, ValueError):  # a template the HTML parser gives up on
            continue
        scanned[path] = scanner
    return scanned


def inline_assets(project: AuditInput) -> CheckOutcome:
    """Find inline CSS and JavaScript in templates ("Templates": external files only).

    :param project: the project.
    :returns: one failure per ``<style>``, inline ``<script>``, ``style=`` or ``on*=``.
    """
    failures = [
        Place(path, line, message)
        for path, scanner in _scan(project).items()
        for line, message in scanner.inline
    ]
    return CheckOutcome(tuple(failures), applicable=bool(project.template_files))


def csrf_token(project: AuditInput) -> CheckOutcome:
    """Find POST forms without ``{% csrf_token %}`` ("Templates").

    :param project: the project.
    :returns: one failure per unprotected POST form.
    """
    failures = [
        Place(path, line, "POST form without {% csrf_token %}")
        for path, scanner in _scan(project).items()
        for line in scanner.unprotected_forms
    ]
    return CheckOutcome(tuple(failures), applicable=bool(project.template_files))


CHECKS = (
    Check("inline-assets", "Templates", "No inline CSS or JavaScript in templates", inline_assets),
    Check("csrf-token", "Templates", "Every POST form has {% csrf_token %}", csrf_token),
)
