-- The pulls from the units' deposits (CONTRACT §8): every file seen at a source, and
-- each source's last attempt. Written in the same transaction as the run that ingests
-- what was pulled (sources/state.py).
CREATE TABLE IF NOT EXISTS meta.pulls (
    source      VARCHAR NOT NULL,
    unit_code   VARCHAR NOT NULL,
    remote_path VARCHAR NOT NULL,
    size        BIGINT NOT NULL,
    modified_at TIMESTAMP,
    sha256      VARCHAR,
    pulled_at   TIMESTAMP NOT NULL,
    run_id      VARCHAR,
    outcome     VARCHAR NOT NULL,
    error       VARCHAR
);
COMMENT ON TABLE meta.pulls IS '从各单位报送点拉取的文件：每个来源、路径、大小和修改时间一行（同一文件不重复拉取）';
COMMENT ON COLUMN meta.pulls.source IS '来源名称（sources.toml 中的 name）';
COMMENT ON COLUMN meta.pulls.unit_code IS '该来源所属单位的代码（回执和事件据此指明单位）';
COMMENT ON COLUMN meta.pulls.remote_path IS '文件在来源处的路径（相对于来源文件夹，已按来源编码解码；身份证号、手机号已遮盖，控制字符已转义）';
COMMENT ON COLUMN meta.pulls.size IS '文件大小（字节）';
COMMENT ON COLUMN meta.pulls.modified_at IS '来源处的修改时间（UTC）';
COMMENT ON COLUMN meta.pulls.sha256 IS '拉取到的内容的 SHA-256（未拉取时为空）';
COMMENT ON COLUMN meta.pulls.pulled_at IS '本次查看或拉取的时间';
COMMENT ON COLUMN meta.pulls.run_id IS '拉取所在运行的编号';
COMMENT ON COLUMN meta.pulls.outcome IS '结果：pulled 已拉取入库 / same_bytes 内容此前已收到 / incomplete 尚未写完（留待下次拉取）/ failed 读取失败（下次重试）/ too_large 超过读取上限，未读取（文件更换后再拉取）';
COMMENT ON COLUMN meta.pulls.error IS '读取失败的原因';
ALTER TABLE meta.pulls ADD COLUMN IF NOT EXISTS first_seen_at TIMESTAMP;
COMMENT ON COLUMN meta.pulls.first_seen_at IS '首次看到时间：拉取时第一次在来源处看到该路径的时间（尚未写完或读取失败的早先记录也算），即文件的到达时间';

CREATE TABLE IF NOT EXISTS meta.source_status (
    source       VARCHAR PRIMARY KEY,
    unit_code    VARCHAR NOT NULL,
    attempted_at TIMESTAMP NOT NULL,
    reached      BOOLEAN NOT NULL,
    error        VARCHAR,
    files_seen   BIGINT NOT NULL,
    files_pulled BIGINT NOT NULL,
    reached_at   TIMESTAMP
);
COMMENT ON TABLE meta.source_status IS '每个报送来源最近一次拉取的情况';
COMMENT ON COLUMN meta.source_status.source IS '来源名称（sources.toml 中的 name）';
COMMENT ON COLUMN meta.source_status.unit_code IS '该来源所属单位的代码';
COMMENT ON COLUMN meta.source_status.attempted_at IS '最近一次尝试拉取的时间';
COMMENT ON COLUMN meta.source_status.reached IS '最近一次是否连通并列出了文件';
COMMENT ON COLUMN meta.source_status.error IS '最近一次的错误（无法连接、登录被拒、超时或读取失败）';
COMMENT ON COLUMN meta.source_status.files_seen IS '最近一次看到的报表文件数';
COMMENT ON COLUMN meta.source_status.files_pulled IS '最近一次新拉取入库的文件数';
COMMENT ON COLUMN meta.source_status.reached_at IS '最近一次连通的时间';
