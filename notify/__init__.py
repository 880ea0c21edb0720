"""Notifications people can rely on (CONTRACT §8): told once, in Chinese, never lost.

- :mod:`notify.notice`: what a notification is about (:class:`Notice`) and the kinds;
- :mod:`notify.texts`: the Chinese a clerk reads;
- :mod:`notify.produce`: the notices of a run, a pull, a chase, from the warehouse;
- :mod:`notify.outbox`: the durable outbox (SQLite, ``$RONGHE_HOME/notify/outbox.sqlite``),
  keyed for ever by what a notice is about;
- :mod:`notify.channels`: ``$RONGHE_HOME/channels.toml``, which channel hears of which units;
- :mod:`notify.deliver`: sending what is pending (Apprise), with retries, backoff, each
  channel's rate limit and digests.

Plain functions: the Prefect layer is ``flows/notices.py``.
"""
