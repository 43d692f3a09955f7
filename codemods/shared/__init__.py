"""Helpers several codemod families share: environment-variable reads, import sections."""
