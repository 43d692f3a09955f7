"""Helpers several codemod families share: env-variable reads, import sections, line length."""
