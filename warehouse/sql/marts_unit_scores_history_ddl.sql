-- marts.unit_scores_history (得分历史): what marts.unit_scores said after each rebuild of
-- a period, so "what did the correction change" can be answered (docs/warehouse.md).
-- Append-only: a rebuild appends a row for each unit whose figures differ from its last
-- recorded row for the period (a unit no longer scored gets a row of NULLs). Idempotent.
CREATE TABLE IF NOT EXISTS marts.unit_scores_history (
    period            VARCHAR NOT NULL,
    unit_code         VARCHAR NOT NULL,
    party_score       DOUBLE,
    development_score DOUBLE,
    composite_score   DOUBLE,
    fusion            DOUBLE,
    quadrant          VARCHAR,
    rank_in_level     BIGINT,
    rank_in_parent    BIGINT,
    complete          BOOLEAN,
    rules_version     VARCHAR,
    run_id            VARCHAR,
    recorded_at       TIMESTAMP NOT NULL
);
COMMENT ON TABLE marts.unit_scores_history IS '得分历史：每次重算某季度后，与上次记录不同的单位得分与排名追加一行（不再计分的单位追加一行空值），用于查询更正改变了什么';
COMMENT ON COLUMN marts.unit_scores_history.period IS '报告期（季度）';
COMMENT ON COLUMN marts.unit_scores_history.unit_code IS '单位代码';
COMMENT ON COLUMN marts.unit_scores_history.party_score IS '党建得分 P（该次重算后）';
COMMENT ON COLUMN marts.unit_scores_history.development_score IS '发展得分 D（该次重算后）';
COMMENT ON COLUMN marts.unit_scores_history.composite_score IS '综合得分 C（该次重算后）';
COMMENT ON COLUMN marts.unit_scores_history.fusion IS '融合度 F（该次重算后）';
COMMENT ON COLUMN marts.unit_scores_history.quadrant IS '象限（该次重算后）';
COMMENT ON COLUMN marts.unit_scores_history.rank_in_level IS '全市同层级排名（该次重算后）';
COMMENT ON COLUMN marts.unit_scores_history.rank_in_parent IS '上级单位内排名（该次重算后）';
COMMENT ON COLUMN marts.unit_scores_history.complete IS '报表是否齐全（该次重算后）';
COMMENT ON COLUMN marts.unit_scores_history.rules_version IS '计分规则版本（不再计分时为空）';
COMMENT ON COLUMN marts.unit_scores_history.run_id IS '重算所在的运行（meta.runs.run_id；运行之外的重算为空）';
COMMENT ON COLUMN marts.unit_scores_history.recorded_at IS '记录时间（重算时的本地时间）';
