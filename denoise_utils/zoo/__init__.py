"""The model zoo (§4.1): the config :mod:`.schema` and the :mod:`.store` of shipped models.

The imports form a tree: ``schema`` → ``store`` → {``pretrained``, ``training``,
``plug_and_play``, ``leaderboard``}; nothing here imports those.
"""

from . import schema, store  # noqa: F401
