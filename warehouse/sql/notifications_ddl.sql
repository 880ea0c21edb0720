-- meta.notifications (CONTRACT §8): the notification outbox as it stood at the run that
-- published this file. The live outbox is $RONGHE_HOME/notify/outbox.sqlite (notify/),
-- which runs, the chase, pulls and the delivery flow write at once; `ronghe notify --list`
-- shows it now.
CREATE TABLE IF NOT EXISTS meta.notifications (
    key        VARCHAR NOT NULL,
    kind       VARCHAR NOT NULL,
    unit_code  VARCHAR,
    period     VARCHAR,
    channel    VARCHAR NOT NULL,
    text_zh    VARCHAR NOT NULL,
    state      VARCHAR NOT NULL,
    attempts   BIGINT NOT NULL,
    last_error VARCHAR,
    created_at TIMESTAMP NOT NULL,
    sent_at    TIMESTAMP,
    PRIMARY KEY (key, channel)
);
COMMENT ON TABLE meta.notifications IS '通知发件箱（本文件发布时的状态）：每条通知按所涉事项（类型、单位、报告期、版本）永久去重，每个渠道一行';
COMMENT ON COLUMN meta.notifications.key IS '通知的键：类型与所涉事项（如 overdue:320623100201|2017Q1|supervision），同一键只通知一次';
COMMENT ON COLUMN meta.notifications.kind IS '类型：quarantined 报表被退回 / rejected 文件整份退回 / source_unreachable 报送点无法连接 / source_back 报送点恢复 / overdue 逾期未报 / approved 审核通过 / returned 审核退回';
COMMENT ON COLUMN meta.notifications.unit_code IS '所涉单位代码';
COMMENT ON COLUMN meta.notifications.period IS '报告期';
COMMENT ON COLUMN meta.notifications.channel IS '发送渠道（channels.toml 中的 name）';
COMMENT ON COLUMN meta.notifications.text_zh IS '通知正文（中文）';
COMMENT ON COLUMN meta.notifications.state IS '状态：pending 待发送 / sent 已发送 / failed 无法发送（渠道配置有误）';
COMMENT ON COLUMN meta.notifications.attempts IS '发送尝试次数';
COMMENT ON COLUMN meta.notifications.last_error IS '最近一次发送失败的原因';
COMMENT ON COLUMN meta.notifications.created_at IS '生成时间';
COMMENT ON COLUMN meta.notifications.sent_at IS '发送时间';
