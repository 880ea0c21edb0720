-- Schemas and the fixed (non-report) tables of the warehouse. Idempotent.
CREATE SCHEMA IF NOT EXISTS core;
CREATE SCHEMA IF NOT EXISTS raw;
CREATE SCHEMA IF NOT EXISTS meta;
CREATE SCHEMA IF NOT EXISTS quarantine;
CREATE SCHEMA IF NOT EXISTS marts;

CREATE TABLE IF NOT EXISTS core.units (
    unit_code   VARCHAR PRIMARY KEY,
    name        VARCHAR NOT NULL,
    level       VARCHAR NOT NULL,
    kind        VARCHAR NOT NULL,
    parent_code VARCHAR,
    valid_from  VARCHAR,
    valid_to    VARCHAR,
    synthetic   BOOLEAN NOT NULL
);
COMMENT ON TABLE core.units IS '单位名录（统计用区划代码）';
COMMENT ON COLUMN core.units.unit_code IS '单位代码（12位统计用区划代码）';
COMMENT ON COLUMN core.units.name IS '单位名称';
COMMENT ON COLUMN core.units.level IS '层级：county 县级 / township 乡级 / village 村级';
COMMENT ON COLUMN core.units.kind IS '类别：district 区 / city 县级市 / county 县 / zone 开发区、园区 / town 镇 / township 乡 / street 街道 / farm 农场等 / village 村 / community 社区';
COMMENT ON COLUMN core.units.parent_code IS '上级单位代码';
COMMENT ON COLUMN core.units.valid_from IS '起始有效季度（含），空表示一直有效';
COMMENT ON COLUMN core.units.valid_to IS '最后有效季度（含），空表示至今有效';
COMMENT ON COLUMN core.units.synthetic IS '是否为合成数据（真实名录不可得时）';
ALTER TABLE core.units ADD COLUMN IF NOT EXISTS aliases VARCHAR;
COMMENT ON COLUMN core.units.aliases IS '单位的其他名称（曾用名、简称等），以 | 分隔；报表中的「单位名称」与之一致亦可';

CREATE TABLE IF NOT EXISTS meta.file_manifest (
    sha256           VARCHAR PRIMARY KEY,
    path             VARCHAR NOT NULL,
    kind             VARCHAR,
    format           VARCHAR,
    received_at      TIMESTAMP NOT NULL,
    status           VARCHAR NOT NULL,
    rows_read        BIGINT NOT NULL,
    rows_loaded      BIGINT NOT NULL,
    rows_quarantined BIGINT NOT NULL,
    archive_path     VARCHAR,
    size_bytes       BIGINT,
    run_id           VARCHAR
);
COMMENT ON TABLE meta.file_manifest IS '收到的文件清单（每个不同文件一行）';
COMMENT ON COLUMN meta.file_manifest.sha256 IS '文件内容的 SHA-256（文件无法读取时为其路径、大小和修改时间的 SHA-256）';
COMMENT ON COLUMN meta.file_manifest.path IS '首次收到时的文件路径';
COMMENT ON COLUMN meta.file_manifest.kind IS '报表类型：supervision / projects / economy';
COMMENT ON COLUMN meta.file_manifest.format IS '文件格式：xlsx（含 xlsm）/ xls / ods / csv / json';
COMMENT ON COLUMN meta.file_manifest.received_at IS '收到时间';
COMMENT ON COLUMN meta.file_manifest.status IS '状态：loaded 全部入库 / partial 部分入库 / rejected 全部隔离';
COMMENT ON COLUMN meta.file_manifest.rows_read IS '读取行数';
COMMENT ON COLUMN meta.file_manifest.rows_loaded IS '入库行数';
COMMENT ON COLUMN meta.file_manifest.rows_quarantined IS '隔离行数';
COMMENT ON COLUMN meta.file_manifest.archive_path IS '归档副本所在的归档包路径（见 meta.archive_index；较早的归档为单个文件）';
COMMENT ON COLUMN meta.file_manifest.size_bytes IS '文件字节数';
COMMENT ON COLUMN meta.file_manifest.run_id IS '处理该文件的运行编号';
ALTER TABLE meta.file_manifest ADD COLUMN IF NOT EXISTS sheets VARCHAR;
ALTER TABLE meta.file_manifest ADD COLUMN IF NOT EXISTS total_rows BIGINT;
COMMENT ON COLUMN meta.file_manifest.sheets IS '工作簿的各工作表（JSON）：读取了哪些、跳过了哪些及原因（hidden 隐藏 / no_header 无表头 / empty 空表）';
COMMENT ON COLUMN meta.file_manifest.total_rows IS '识别出的合计/总计/小计行数（不是数据行，不入库，不计入读取行数）';
-- when the report reached the department (CONTRACT §9): timeliness is judged by it
ALTER TABLE meta.file_manifest ADD COLUMN IF NOT EXISTS arrived_at TIMESTAMP;
COMMENT ON COLUMN meta.file_manifest.arrived_at IS '到达时间：拉取的文件为首次在报送来源处看到它的时间（meta.pulls.first_seen_at），门户上传为确认上传的时间，收件箱文件为其修改时间；不晚于收到时间。及时性按到达时间判断，不按入库时间';

CREATE TABLE IF NOT EXISTS meta.archive_index (
    sha256      VARCHAR PRIMARY KEY,
    pack        VARCHAR NOT NULL,
    member      VARCHAR NOT NULL,
    data_offset BIGINT NOT NULL,
    size_bytes  BIGINT NOT NULL
);
COMMENT ON TABLE meta.archive_index IS '归档索引：每个收到的文件在哪个归档包（tar）中、从第几个字节起、多长';
COMMENT ON COLUMN meta.archive_index.sha256 IS '文件内容的 SHA-256';
COMMENT ON COLUMN meta.archive_index.pack IS '归档包路径（archive/packs/<包的 SHA-256>.tar）';
COMMENT ON COLUMN meta.archive_index.member IS '包内成员名：<SHA-256>.<扩展名>';
COMMENT ON COLUMN meta.archive_index.data_offset IS '文件内容在包内的起始字节';
COMMENT ON COLUMN meta.archive_index.size_bytes IS '文件字节数';

CREATE TABLE IF NOT EXISTS meta.file_hashes (
    path     VARCHAR PRIMARY KEY,
    size     BIGINT NOT NULL,
    mtime_ns BIGINT NOT NULL,
    sha256   VARCHAR NOT NULL
);
COMMENT ON TABLE meta.file_hashes IS '收件箱文件的 SHA-256 缓存：路径、大小和修改时间都未变时不再重读重算';
COMMENT ON COLUMN meta.file_hashes.path IS '文件路径';
COMMENT ON COLUMN meta.file_hashes.size IS '文件字节数';
COMMENT ON COLUMN meta.file_hashes.mtime_ns IS '文件修改时间（纳秒）';
COMMENT ON COLUMN meta.file_hashes.sha256 IS '该大小和修改时间下文件内容的 SHA-256';

CREATE TABLE IF NOT EXISTS meta.runs (
    run_id      VARCHAR PRIMARY KEY,
    flow        VARCHAR NOT NULL,
    parameters  JSON,
    started_at  TIMESTAMP NOT NULL,
    finished_at TIMESTAMP,
    state       VARCHAR NOT NULL
);
COMMENT ON TABLE meta.runs IS '流水线运行记录';
COMMENT ON COLUMN meta.runs.run_id IS '运行编号';
COMMENT ON COLUMN meta.runs.flow IS '流程名称';
COMMENT ON COLUMN meta.runs.parameters IS '运行参数（JSON）';
COMMENT ON COLUMN meta.runs.started_at IS '开始时间';
COMMENT ON COLUMN meta.runs.finished_at IS '结束时间';
COMMENT ON COLUMN meta.runs.state IS '状态：running / completed / failed';

CREATE TABLE IF NOT EXISTS meta.skipped (
    run_id  VARCHAR,
    path    VARCHAR NOT NULL,
    reason  VARCHAR NOT NULL,
    detail  VARCHAR NOT NULL,
    seen_at TIMESTAMP NOT NULL
);
COMMENT ON TABLE meta.skipped IS '运行时在收件箱中跳过的路径及原因（未读取、未归档；每次运行各记一次）';
COMMENT ON COLUMN meta.skipped.run_id IS '运行编号';
COMMENT ON COLUMN meta.skipped.path IS '被跳过的路径（非 UTF-8 文件名按 GBK 解码显示）';
COMMENT ON COLUMN meta.skipped.reason IS '原因代码：not_settled 仍在写入（留待下次运行）/ symlink_outside_inbox 指向收件箱外的符号链接 / symlinked_folder 指向文件夹的符号链接 / broken_symlink 失效的符号链接 / symlink_loop 循环的符号链接 / not_a_regular_file 非普通文件（FIFO、套接字、设备）/ unreadable_folder 无法列出的文件夹 / missing 不存在';
COMMENT ON COLUMN meta.skipped.detail IS '原因说明（含操作系统的错误信息）';
COMMENT ON COLUMN meta.skipped.seen_at IS '发现时间';

CREATE TABLE IF NOT EXISTS quarantine.reports (
    source_sha256 VARCHAR NOT NULL,
    kind          VARCHAR NOT NULL,
    unit_code     VARCHAR,
    period        VARCHAR,
    row_numbers   BIGINT[] NOT NULL,
    reasons       VARCHAR[] NOT NULL,
    record        JSON NOT NULL,
    quarantined_at TIMESTAMP NOT NULL
);
COMMENT ON TABLE quarantine.reports IS '被隔离的报表（整份隔离）及原因';
COMMENT ON COLUMN quarantine.reports.source_sha256 IS '来源文件 SHA-256';
COMMENT ON COLUMN quarantine.reports.kind IS '报表类型';
COMMENT ON COLUMN quarantine.reports.unit_code IS '单位代码（原样）';
COMMENT ON COLUMN quarantine.reports.period IS '报告期（可解析时为规范形式，否则原样）';
COMMENT ON COLUMN quarantine.reports.row_numbers IS '文件中的数据行号（从1起，不含表头）';
COMMENT ON COLUMN quarantine.reports.reasons IS '隔离原因代码列表';
COMMENT ON COLUMN quarantine.reports.record IS '原始行（JSON）';
COMMENT ON COLUMN quarantine.reports.quarantined_at IS '隔离时间';

CREATE TABLE IF NOT EXISTS quarantine.files (
    sha256  VARCHAR PRIMARY KEY,
    path    VARCHAR NOT NULL,
    reasons VARCHAR[] NOT NULL,
    detail  VARCHAR,
    quarantined_at TIMESTAMP NOT NULL
);
COMMENT ON TABLE quarantine.files IS '整体无法处理的文件及原因';
COMMENT ON COLUMN quarantine.files.sha256 IS '文件内容的 SHA-256（文件无法读取时为其路径、大小和修改时间的 SHA-256）';
COMMENT ON COLUMN quarantine.files.path IS '文件路径';
COMMENT ON COLUMN quarantine.files.reasons IS '原因代码列表：unreadable_file 无法读取 / unknown_kind 无法识别报表类型 / missing_columns 缺少必填列 / empty_file 可读但没有数据行';
COMMENT ON COLUMN quarantine.files.detail IS '说明（如缺少的列、操作系统的错误信息）';
COMMENT ON COLUMN quarantine.files.quarantined_at IS '隔离时间';

CREATE TABLE IF NOT EXISTS quarantine.problems (
    source_sha256  VARCHAR NOT NULL,
    kind           VARCHAR,
    unit_code      VARCHAR,
    period         VARCHAR,
    sheet_row      BIGINT,
    "column"       VARCHAR,
    column_zh      VARCHAR,
    value          VARCHAR,
    reason         VARCHAR NOT NULL,
    message_zh     VARCHAR NOT NULL,
    message_en     VARCHAR NOT NULL,
    quarantined_at TIMESTAMP NOT NULL
);
COMMENT ON TABLE quarantine.problems IS '每个问题一行：被隔离报表或被拒收文件的问题，附填报人可据以改正的说明';
COMMENT ON COLUMN quarantine.problems.source_sha256 IS '来源文件 SHA-256';
COMMENT ON COLUMN quarantine.problems.kind IS '报表类型（文件名未表明类型时为空）';
COMMENT ON COLUMN quarantine.problems.unit_code IS '单位代码（原样；整个文件的问题为空）';
COMMENT ON COLUMN quarantine.problems.period IS '报告期（可解析时为规范形式，否则原样；整个文件的问题为空）';
COMMENT ON COLUMN quarantine.problems.sheet_row IS '填报人看到的行号：表格和CSV中表头为第1行、第一条数据为第2行；JSON中为第几个对象；整个文件的问题为空';
COMMENT ON COLUMN quarantine.problems."column" IS '列的规范名（问题不属于某一列时为空）';
COMMENT ON COLUMN quarantine.problems.column_zh IS '列的中文名';
COMMENT ON COLUMN quarantine.problems.value IS '收到的值（原样文本，空白为空）';
COMMENT ON COLUMN quarantine.problems.reason IS '原因代码（见契约第3节）';
COMMENT ON COLUMN quarantine.problems.message_zh IS '中文说明：哪一行、哪一列、收到什么、应当怎样';
COMMENT ON COLUMN quarantine.problems.message_en IS '英文说明';
COMMENT ON COLUMN quarantine.problems.quarantined_at IS '隔离时间';
