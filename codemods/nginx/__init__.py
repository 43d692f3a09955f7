"""The nginx codemods: one module per rule of "Nginx Reverse Proxy", and their shared helpers.

Parsing (``parse``), editing (``edit``), the http-level view of a project's configs (``config``)
and what every nginx rule declares alike (``rule``) serve the rule modules beside them.
"""
