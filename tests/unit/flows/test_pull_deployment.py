"""``ronghe serve`` registers ``ronghe-pull/pull`` on an interval only when a sources file exists;
the events' ids are deterministic."""

from __future__ import annotations

import uuid
from pathlib import Path


def test_the_pull_deployment_is_registered_when_a_sources_file_exists(tmp_path: Path) -> None:
    from flows.deployments import ServeConfig, build_deployments

    sources = tmp_path / "sources.toml"
    cfg = ServeConfig(home=tmp_path, inbox=tmp_path, sources=sources, pull_seconds=600)
    assert "pull" not in {d.name for d in build_deployments(cfg)}
    sources.write_text("", encoding="utf-8")
    deps = {d.name: d for d in build_deployments(cfg)}
    (sched,) = deps["pull"].schedules
    assert sched.schedule.interval.total_seconds() == 600  # type: ignore[union-attr]
    assert deps["pull"].entrypoint == "flows.pull.pull_flow"
    assert deps["pull"].parameters["sources"] == str(sources)
    assert deps["pull"].flow_name == "ronghe-pull"


def test_the_deliver_deployment_is_registered_when_a_channels_file_exists(tmp_path: Path) -> None:
    from flows.deployments import ServeConfig, build_deployments

    channels = tmp_path / "channels.toml"
    cfg = ServeConfig(home=tmp_path, inbox=tmp_path, channels=channels, notify_seconds=120)
    assert "deliver" not in {d.name for d in build_deployments(cfg)}
    channels.write_text("", encoding="utf-8")
    deps = {d.name: d for d in build_deployments(cfg)}
    (sched,) = deps["deliver"].schedules
    assert sched.schedule.interval.total_seconds() == 120  # type: ignore[union-attr]
    (trigger,) = deps["deliver"].triggers
    assert trigger.expect == {"ronghe.notification.queued"}
    assert deps["deliver"].entrypoint == "flows.notices.notify_flow"


def test_event_ids_follow_the_shared_formula() -> None:
    from flows.events import event_id

    got = event_id("ronghe.source.unreachable", "ronghe.source.a", "run-1")
    assert got == uuid.uuid5(
        uuid.NAMESPACE_URL, "ronghe:ronghe.source.unreachable:ronghe.source.a:run-1"
    )
    assert got != event_id("ronghe.source.unreachable", "ronghe.source.a", "run-2")
