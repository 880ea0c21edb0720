"""The intake: where reports come from (the units' deposits, CONTRACT §8).

- :mod:`sources.config`: the sources file (``sources.toml``), parsed and checked;
- :mod:`sources.deposit`: one small interface for a deposit (list, read, move), over
  fsspec for every protocol;
- :mod:`sources.pull`: which files are new and complete, pulled into a private
  staging folder, and what is recorded (``meta.pulls``, ``meta.source_status``).

Plain functions, no Prefect: the flows (:mod:`flows.pull`) sequence them.
"""
