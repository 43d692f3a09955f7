"""The catalogue of codemods: one package (or module) per rule family of the Red Panda standard.

``cbv_to_fbv``, ``compose_env_scoping``, ``model_timestamps``, ``pin_dependencies`` and
``pytz_to_zoneinfo`` are packages exposing ``CODEMOD``; ``nginx`` is a
family with one module per rule; ``shared`` holds helpers several families use.
"""
