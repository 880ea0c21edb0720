"""The filers' portal (CONTRACT §11): upload, see what was read, 报送; approval (审核).

A second face of ronghe beside :mod:`cli`: a small FastAPI application served by
``ronghe portal``, one file per thing a user does (:mod:`portal.login`,
:mod:`portal.upload`, :mod:`portal.confirm`, :mod:`portal.approve`, :mod:`portal.status`,
:mod:`portal.template`), wired in :mod:`portal.app`. Who may act on what is decided once,
in :mod:`portal.access`, and given to every route as a dependency (:mod:`portal.deps`).
Its state is its own store (:mod:`approval.store`); it reads the published warehouse only.
"""
