"""Lint IAM policies and templates: a registry of rules with stable ``LP1xx`` codes.

Kept import-light on purpose: other stages import :mod:`least_priv.lint.codes` to register
their finding codes, and must not pay for the rules or the catalog when they do.
"""
