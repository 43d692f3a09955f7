"""The catalogue of codemods: one module per rule of the Red Panda Approval standard.

Each public module defines ``CODEMOD``; modules starting with ``_`` are shared helpers.
"""
