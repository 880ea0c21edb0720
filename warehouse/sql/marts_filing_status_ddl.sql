-- marts.filing_status (报送情况, CONTRACT §5): who has filed what for a period.
-- Built by warehouse/marts.py with the other marts, from core.* and quarantine.*.
CREATE TABLE IF NOT EXISTS marts.filing_status (
    period        VARCHAR NOT NULL,
    unit_code     VARCHAR NOT NULL,
    level         VARCHAR NOT NULL,
    parent_code   VARCHAR,
    kind          VARCHAR NOT NULL,
    status        VARCHAR NOT NULL,
    submitted_at  TIMESTAMP,
    arrived_at    TIMESTAMP,
    received_at   TIMESTAMP,
    source_sha256 VARCHAR,
    problems      BIGINT NOT NULL,
    returned_correction BOOLEAN,
    PRIMARY KEY (period, unit_code, kind)
);
-- a warehouse made before the column: added (the next rebuild of a quarter fills it)
ALTER TABLE marts.filing_status ADD COLUMN IF NOT EXISTS returned_correction BOOLEAN;
COMMENT ON TABLE marts.filing_status IS '报送情况：报告期内每个有效单位每类报表一行（党建督导、经济指标；项目表在该单位报送过或应报时）';
COMMENT ON COLUMN marts.filing_status.period IS '报告期';
COMMENT ON COLUMN marts.filing_status.unit_code IS '单位代码';
COMMENT ON COLUMN marts.filing_status.level IS '层级：county 县级 / township 乡级 / village 村级';
COMMENT ON COLUMN marts.filing_status.parent_code IS '上级单位代码（县级单位为空）';
COMMENT ON COLUMN marts.filing_status.kind IS '报表类型：supervision / economy / projects';
COMMENT ON COLUMN marts.filing_status.status IS '状态：loaded 已入库（有当前版本）/ quarantined 被退回（收到但都未入库）/ missing 未报送';
COMMENT ON COLUMN marts.filing_status.submitted_at IS '当前版本的填报时间（已入库时）';
COMMENT ON COLUMN marts.filing_status.received_at IS '收到时间：已入库为当前版本收到的时间，被退回为最近一次被退回的时间';
COMMENT ON COLUMN marts.filing_status.source_sha256 IS '当前版本的来源文件 SHA-256（已入库时）';
COMMENT ON COLUMN marts.filing_status.problems IS '该单位该报告期该类报表被退回版本的问题数（quarantine.problems 行数）';
COMMENT ON COLUMN marts.filing_status.returned_correction IS '更正被退回：已入库的旧版本仍在计分，而之后收到的版本（更正）被退回';
-- The filing round (CONTRACT §9): deadline and timeliness, by the first arrival.
ALTER TABLE marts.filing_status ADD COLUMN IF NOT EXISTS due_at TIMESTAMP;
ALTER TABLE marts.filing_status ADD COLUMN IF NOT EXISTS first_received_at TIMESTAMP;
ALTER TABLE marts.filing_status ADD COLUMN IF NOT EXISTS timeliness VARCHAR;
COMMENT ON COLUMN marts.filing_status.due_at IS '报送截止时间：季度结束后第N天24时（N按层级见规则文件 [round.deadline_days]）';
COMMENT ON COLUMN marts.filing_status.first_received_at IS '首次收到时间：该报表最早入库的版本所在文件的收到时间（meta.file_manifest.received_at）';
COMMENT ON COLUMN marts.filing_status.timeliness IS '及时性：on_time 按时（首次到达不晚于截止时间）/ late 迟报（首次到达晚于截止时间）/ overdue 逾期未报（无入库版本且已过截止时间）/ not_due 未到截止时间；按到达时间判断，不按入库时间';
-- Timeliness by arrival (CONTRACT §9), not by the time of loading: added to older warehouses
-- (the next rebuild of a quarter fills them).
ALTER TABLE marts.filing_status ADD COLUMN IF NOT EXISTS arrived_at TIMESTAMP;
ALTER TABLE marts.filing_status ADD COLUMN IF NOT EXISTS first_arrived_at TIMESTAMP;
COMMENT ON COLUMN marts.filing_status.arrived_at IS '到达时间：当前版本所在文件到达的时间（meta.file_manifest.arrived_at：拉取时首次看到、门户确认上传或收件箱文件的修改时间）';
COMMENT ON COLUMN marts.filing_status.first_arrived_at IS '首次到达时间：该报表最早入库的版本所在文件的到达时间；及时性按此判断';
-- Approval through the portal (CONTRACT §11): the current version's latest transition.
ALTER TABLE marts.filing_status ADD COLUMN IF NOT EXISTS approval VARCHAR;
COMMENT ON COLUMN marts.filing_status.approval IS '审核状态（经门户报送的当前版本）：submitted 已报待审 / approved 审核通过 / returned 退回；非门户报送的文件无需审核，为空';
-- What a unit owes (CONTRACT §9): a projects report only while a project is unfinished.
ALTER TABLE marts.filing_status ADD COLUMN IF NOT EXISTS owed BOOLEAN;
COMMENT ON COLUMN marts.filing_status.owed IS '应报：党建督导、经济指标每个有效单位都应报；项目表仅当该单位本年此前季度有未竣工的项目时应报（未应报的项目表行是该单位自己报送的）';
