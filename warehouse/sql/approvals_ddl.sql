-- meta.approvals (审核, CONTRACT §11): every transition of every report version filed
-- through the portal, copied from the portal's store by each run (warehouse/approvals.py).
CREATE TABLE IF NOT EXISTS meta.approvals (
    kind          VARCHAR NOT NULL,
    unit_code     VARCHAR NOT NULL,
    period        VARCHAR NOT NULL,
    seq           BIGINT NOT NULL,
    source_sha256 VARCHAR NOT NULL,
    state         VARCHAR NOT NULL,
    by_unit       VARCHAR NOT NULL,
    "at"          TIMESTAMP NOT NULL,
    reason        VARCHAR,
    PRIMARY KEY (kind, unit_code, period, seq)
);
COMMENT ON TABLE meta.approvals IS '审核记录：经门户报送的每份报表每个版本的每次状态变化（报送、审核通过、退回），每次运行从门户库复制';
COMMENT ON COLUMN meta.approvals.kind IS '报表类型：supervision / economy / projects';
COMMENT ON COLUMN meta.approvals.unit_code IS '报表所属单位代码';
COMMENT ON COLUMN meta.approvals.period IS '报告期';
COMMENT ON COLUMN meta.approvals.seq IS '该单位该报告期该类报表的第几次状态变化（从1起）';
COMMENT ON COLUMN meta.approvals.source_sha256 IS '该版本的来源文件 SHA-256（meta.file_manifest.sha256）';
COMMENT ON COLUMN meta.approvals.state IS '变化后的状态：submitted 已报送待审 / approved 审核通过 / returned 退回';
COMMENT ON COLUMN meta.approvals.by_unit IS '操作单位代码（报送单位或审核单位）';
COMMENT ON COLUMN meta.approvals."at" IS '操作时间';
COMMENT ON COLUMN meta.approvals.reason IS '退回理由（退回时必填）';
