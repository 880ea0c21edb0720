-- marts.review_flags (核实, CONTRACT §9) and meta.total_mismatches, the total rows (合计)
-- whose figures disagree with the rows they total, as the reader finds them (§2).
CREATE TABLE IF NOT EXISTS meta.total_mismatches (
    source_sha256 VARCHAR NOT NULL,
    kind          VARCHAR NOT NULL,
    period        VARCHAR NOT NULL,
    unit_code     VARCHAR NOT NULL,
    sheet         VARCHAR,
    sheet_row     BIGINT,
    "column"      VARCHAR NOT NULL,
    total_value   DOUBLE NOT NULL,
    rows_sum      DOUBLE NOT NULL
);
COMMENT ON TABLE meta.total_mismatches IS '合计行核对：文件中合计行（合计/总计/小计）某一数值列与其所合计各行之和（读取时记录，差额是否需核实由规则 review.total_mismatch 的阈值决定）';
COMMENT ON COLUMN meta.total_mismatches.source_sha256 IS '来源文件 SHA-256';
COMMENT ON COLUMN meta.total_mismatches.kind IS '报表类型：supervision / projects / economy';
COMMENT ON COLUMN meta.total_mismatches.period IS '报告期（所合计各行的报告期）';
COMMENT ON COLUMN meta.total_mismatches.unit_code IS '需核实的单位：所合计各行的共同上级单位，无共同上级时为第一行的单位';
COMMENT ON COLUMN meta.total_mismatches.sheet IS '工作表名称';
COMMENT ON COLUMN meta.total_mismatches.sheet_row IS '合计行的行号（与办公软件显示一致）';
COMMENT ON COLUMN meta.total_mismatches."column" IS '列（规范英文名）';
COMMENT ON COLUMN meta.total_mismatches.total_value IS '合计行填写的数值';
COMMENT ON COLUMN meta.total_mismatches.rows_sum IS '所合计各行该列之和';

CREATE TABLE IF NOT EXISTS marts.review_flags (
    period         VARCHAR NOT NULL,
    unit_code      VARCHAR NOT NULL,
    kind           VARCHAR NOT NULL,
    source_sha256  VARCHAR,
    rule           VARCHAR NOT NULL,
    "column"       VARCHAR NOT NULL,
    value          DOUBLE,
    previous_value DOUBLE,
    message_zh     VARCHAR NOT NULL,
    explained      BOOLEAN NOT NULL,
    explanation    VARCHAR,
    project_id     VARCHAR
);
COMMENT ON TABLE marts.review_flags IS '需核实的数据（核实性审核）：数值可能正确但须填报单位在「说明」中确认；不退回、不影响得分';
COMMENT ON COLUMN marts.review_flags.period IS '报告期';
COMMENT ON COLUMN marts.review_flags.unit_code IS '单位代码';
COMMENT ON COLUMN marts.review_flags.kind IS '报表类型：supervision / projects / economy';
COMMENT ON COLUMN marts.review_flags.source_sha256 IS '本季度当前版本的来源文件 SHA-256';
COMMENT ON COLUMN marts.review_flags.rule IS '核实规则：ytd_decrease 累计数下降 / party_members_change 党员数变动过大 / growth_jump 增速跳动 / progress_backwards 形象进度倒退 / total_mismatch 合计行不符';
COMMENT ON COLUMN marts.review_flags."column" IS '列（规范英文名）';
COMMENT ON COLUMN marts.review_flags.value IS '本季度数值（合计行不符时为合计行数值）';
COMMENT ON COLUMN marts.review_flags.previous_value IS '上季度数值（合计行不符时为各行之和）';
COMMENT ON COLUMN marts.review_flags.message_zh IS '给填报单位的一句话：哪项数据、本季度和上季度的数值、哪条规则、如何处理';
COMMENT ON COLUMN marts.review_flags.explained IS '是否已说明：本季度报表的「说明」不为空';
COMMENT ON COLUMN marts.review_flags.explanation IS '填报单位的说明（「说明」列）';
COMMENT ON COLUMN marts.review_flags.project_id IS '项目编号（项目表的核实项）';
