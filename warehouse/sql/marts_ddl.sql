-- The marts (CONTRACT §4, §5): indicators computed from core.* by warehouse/marts.py.
-- Idempotent. Every marts table is rebuilt per period ("delete the partition, then insert").
CREATE SCHEMA IF NOT EXISTS marts;

CREATE TABLE IF NOT EXISTS marts.unit_scores (
    period            VARCHAR NOT NULL,
    unit_code         VARCHAR NOT NULL,
    level             VARCHAR NOT NULL,
    parent_code       VARCHAR,
    party_score       DOUBLE,
    development_score DOUBLE,
    coefficient       DOUBLE,
    composite_score   DOUBLE,
    fusion            DOUBLE,
    quadrant          VARCHAR,
    rank_in_level     BIGINT,
    rank_in_parent    BIGINT,
    complete          BOOLEAN,
    missing_kinds     VARCHAR[],
    rules_version     VARCHAR NOT NULL,
    PRIMARY KEY (period, unit_code)
);
-- Warehouses created before the 2018 rules (issue 11) gain the new columns.
ALTER TABLE marts.unit_scores ADD COLUMN IF NOT EXISTS complete BOOLEAN;
ALTER TABLE marts.unit_scores ADD COLUMN IF NOT EXISTS missing_kinds VARCHAR[];
COMMENT ON TABLE marts.unit_scores IS '单位季度得分：党建得分、发展得分、乘数计分、融合度、象限与排名（每个在该季度有任一当前报表且有效的单位一行；2018版规则仅报表齐全的单位计算综合得分、融合度、象限与排名）';
COMMENT ON COLUMN marts.unit_scores.period IS '报告期（季度，如 2017Q1）';
COMMENT ON COLUMN marts.unit_scores.unit_code IS '单位代码';
COMMENT ON COLUMN marts.unit_scores.level IS '层级：county 县级 / township 乡级 / village 村级';
COMMENT ON COLUMN marts.unit_scores.parent_code IS '上级单位代码';
COMMENT ON COLUMN marts.unit_scores.party_score IS '党建得分 P（0–100；2018版四舍五入保留2位小数），无当前党建督导季报时为空';
COMMENT ON COLUMN marts.unit_scores.development_score IS '发展得分 D（0–100；2018版四舍五入保留2位小数），无任何发展分项时为空';
COMMENT ON COLUMN marts.unit_scores.coefficient IS '乘数系数 k = f(P)（linear：P/100；banded：分档系数；2018版由保留2位的 P 计算），P 为空时为空';
COMMENT ON COLUMN marts.unit_scores.composite_score IS '综合得分 C = D × k（乘数计分法；2018版四舍五入保留2位小数），P 或 D 为空时为空；2018版报表不齐全的单位为空';
COMMENT ON COLUMN marts.unit_scores.fusion IS '融合度 F = 100 − |P − D|，P 或 D 为空时为空；2018版报表不齐全的单位为空';
COMMENT ON COLUMN marts.unit_scores.quadrant IS '象限（对比同层级本季度 P、D 中位数；2018版中位数只计报表齐全的单位）：both_strong 双强 / party_leads 党建领先 / economy_leads 发展领先 / both_weak 双弱';
COMMENT ON COLUMN marts.unit_scores.rank_in_level IS '全市同层级内按综合得分降序排名（RANK，并列同名次，C 为空不排名；2018版仅报表齐全的单位排名）';
COMMENT ON COLUMN marts.unit_scores.rank_in_parent IS '同一上级单位下同级单位中按综合得分降序排名（RANK，C 为空不排名；2018版仅报表齐全的单位排名）';
COMMENT ON COLUMN marts.unit_scores.complete IS '报表是否齐全：本季度同时有当前党建督导季报和经济指标季报';
COMMENT ON COLUMN marts.unit_scores.missing_kinds IS '缺少的报表种类（supervision 党建督导 / economy 经济指标），齐全时为空列表';
COMMENT ON COLUMN marts.unit_scores.rules_version IS '计分规则版本';

CREATE TABLE IF NOT EXISTS marts.unit_score_components (
    period             VARCHAR NOT NULL,
    unit_code          VARCHAR NOT NULL,
    checklist          DOUBLE,
    supervision        DOUBLE,
    theme_days         DOUBLE,
    list_published     DOUBLE,
    secretary_projects DOUBLE,
    project_party_orgs DOUBLE,
    growth             DOUBLE,
    income             DOUBLE,
    collective         DOUBLE,
    investment         DOUBLE,
    rules_version      VARCHAR NOT NULL,
    PRIMARY KEY (period, unit_code)
);
COMMENT ON TABLE marts.unit_score_components IS '单位季度得分分项（0–1，空表示该分项不适用，不参与加权）';
COMMENT ON COLUMN marts.unit_score_components.period IS '报告期';
COMMENT ON COLUMN marts.unit_score_components.unit_code IS '单位代码';
COMMENT ON COLUMN marts.unit_score_components.checklist IS '党建分项：清单任务完成率 Σ完成数/Σ任务数（上限1），任务数合计为0时为空';
COMMENT ON COLUMN marts.unit_score_components.supervision IS '党建分项：党建督导 min(1, 督导次数/应督导次数)';
COMMENT ON COLUMN marts.unit_score_components.theme_days IS '党建分项：主题党日 min(1, 开展次数/计划次数)，计划次数为0时为空';
COMMENT ON COLUMN marts.unit_score_components.list_published IS '党建分项：清单公示（是1，否0）';
COMMENT ON COLUMN marts.unit_score_components.secretary_projects IS '党建分项：书记项目平均形象进度/100，无书记项目时为空';
COMMENT ON COLUMN marts.unit_score_components.project_party_orgs IS '党建分项：在建、投产项目中同步建立党组织的比例，无此类项目时为空';
COMMENT ON COLUMN marts.unit_score_components.growth IS '发展分项：GDP增速/年度增长目标（截于0–1），目标缺失或为0时为空';
COMMENT ON COLUMN marts.unit_score_components.income IS '发展分项：居民收入增速/年度增长目标（截于0–1），目标缺失或为0时为空';
COMMENT ON COLUMN marts.unit_score_components.collective IS '发展分项：村集体经营性收入/(年度目标×季度序号/4)（上限1），目标缺失或为0时为空';
COMMENT ON COLUMN marts.unit_score_components.investment IS '发展分项：2018版 Σ本年累计完成投资/(Σ年度计划投资×季度序号/4)（序时进度，年度计划投资未填用计划总投资）；2017版 Σ累计完成投资/Σ计划总投资；仅计划>0的项目，上限1，无此类项目时为空';
COMMENT ON COLUMN marts.unit_score_components.rules_version IS '计分规则版本';

CREATE TABLE IF NOT EXISTS marts.linkage (
    period                      VARCHAR NOT NULL,
    level                       VARCHAR NOT NULL,
    units                       BIGINT NOT NULL,
    corr_party_development      DOUBLE,
    corr_party_development_next DOUBLE,
    median_party_score          DOUBLE,
    median_development_score    DOUBLE,
    both_strong                 BIGINT NOT NULL,
    party_leads                 BIGINT NOT NULL,
    economy_leads               BIGINT NOT NULL,
    both_weak                   BIGINT NOT NULL,
    rules_version               VARCHAR NOT NULL,
    PRIMARY KEY (period, level)
);
ALTER TABLE marts.linkage ADD COLUMN IF NOT EXISTS rules_version VARCHAR;
COMMENT ON TABLE marts.linkage IS '党建与发展联动分析（每季度每层级一行）';
COMMENT ON COLUMN marts.linkage.period IS '报告期';
COMMENT ON COLUMN marts.linkage.level IS '层级';
COMMENT ON COLUMN marts.linkage.units IS '参与联动分析的单位数：2018版为报表齐全且有 P、D 的单位；2017版为同时有 P 和 D 的单位';
COMMENT ON COLUMN marts.linkage.corr_party_development IS '本季度 P 与 D 的皮尔逊相关系数（上述单位；单位数少于2或方差为0时为空）';
COMMENT ON COLUMN marts.linkage.corr_party_development_next IS '本季度 P 与下一季度 D 的皮尔逊相关系数（两期均有的单位，2018版须两期报表均齐全；下一季度未载入时为空）';
COMMENT ON COLUMN marts.linkage.median_party_score IS '党建得分中位数（2018版：报表齐全的单位；2017版：有 P 的单位；偶数个取中间两值均值）';
COMMENT ON COLUMN marts.linkage.median_development_score IS '发展得分中位数（2018版：报表齐全的单位；2017版：有 D 的单位；偶数个取中间两值均值）';
COMMENT ON COLUMN marts.linkage.both_strong IS '双强象限单位数（P ≥ 中位数且 D ≥ 中位数）';
COMMENT ON COLUMN marts.linkage.party_leads IS '党建领先象限单位数（P ≥ 中位数，D < 中位数）';
COMMENT ON COLUMN marts.linkage.economy_leads IS '发展领先象限单位数（P < 中位数，D ≥ 中位数）';
COMMENT ON COLUMN marts.linkage.both_weak IS '双弱象限单位数（P < 中位数且 D < 中位数）';
COMMENT ON COLUMN marts.linkage.rules_version IS '计分规则版本';

CREATE TABLE IF NOT EXISTS marts.linkage_effect (
    period        VARCHAR NOT NULL,
    level         VARCHAR NOT NULL,
    first_period  VARCHAR NOT NULL,
    units         BIGINT NOT NULL,
    observations  BIGINT NOT NULL,
    quarters      BIGINT NOT NULL,
    effect        DOUBLE,
    std_error     DOUBLE,
    ci_low        DOUBLE,
    ci_high       DOUBLE,
    p_value       DOUBLE,
    rules_version VARCHAR NOT NULL,
    PRIMARY KEY (period, level)
);
COMMENT ON TABLE marts.linkage_effect IS '党建对下季度发展的带动作用估计（每季度每层级一行）：截至本季度的8个季度中，各单位本季度发展得分 D 对上季度党建得分 P 的双向固定效应面板回归（控制单位和季度差异），按单位聚类的稳健标准误和95%置信区间';
COMMENT ON COLUMN marts.linkage_effect.period IS '报告期（估计所用窗口的最后一个季度）';
COMMENT ON COLUMN marts.linkage_effect.level IS '层级：county 县级 / township 乡级 / village 村级';
COMMENT ON COLUMN marts.linkage_effect.first_period IS '估计窗口的第一个季度（发展得分的季度；对应党建得分为其上一季度）';
COMMENT ON COLUMN marts.linkage_effect.units IS '参与估计的单位数（窗口内至少有两组“上季度 P、本季度 D”的单位，即聚类数；2018版两季度报表均须齐全）';
COMMENT ON COLUMN marts.linkage_effect.observations IS '参与估计的“上季度 P、本季度 D”组数';
COMMENT ON COLUMN marts.linkage_effect.quarters IS '参与估计的季度数（发展得分的季度）';
COMMENT ON COLUMN marts.linkage_effect.effect IS '带动作用估计值：上季度党建得分每高1分，本季度发展得分平均高出的分数（控制单位和季度固定效应）；单位少于20个或季度少于2个时为空';
COMMENT ON COLUMN marts.linkage_effect.std_error IS '估计值的标准误（按单位聚类的稳健标准误）';
COMMENT ON COLUMN marts.linkage_effect.ci_low IS '95%置信区间下限（t分布，自由度为单位数减1）';
COMMENT ON COLUMN marts.linkage_effect.ci_high IS '95%置信区间上限';
COMMENT ON COLUMN marts.linkage_effect.p_value IS '双侧检验 p 值（原假设：无带动作用）；小于0.05且置信区间不含0时为显著';
COMMENT ON COLUMN marts.linkage_effect.rules_version IS '计分规则版本';

CREATE TABLE IF NOT EXISTS marts.weak_villages (
    period                       VARCHAR NOT NULL,
    unit_code                    VARCHAR NOT NULL,
    collective_income_annualised DOUBLE,
    party_score                  DOUBLE,
    low_income                   BOOLEAN NOT NULL,
    low_party_score              BOOLEAN NOT NULL,
    rules_version                VARCHAR NOT NULL,
    PRIMARY KEY (period, unit_code)
);
ALTER TABLE marts.weak_villages ADD COLUMN IF NOT EXISTS rules_version VARCHAR;
COMMENT ON TABLE marts.weak_villages IS '薄弱村季度预警名单（仅村，不含社区；年化集体经营性收入低于收入线或党建得分低于党建线）；年度认定见 marts.weak_village_years';
COMMENT ON COLUMN marts.weak_villages.period IS '报告期';
COMMENT ON COLUMN marts.weak_villages.unit_code IS '村单位代码';
COMMENT ON COLUMN marts.weak_villages.collective_income_annualised IS '年化村集体经营性收入（万元）= 累计收入 × 4 / 季度序号；无经济报表时为空';
COMMENT ON COLUMN marts.weak_villages.party_score IS '党建得分 P';
COMMENT ON COLUMN marts.weak_villages.low_income IS '是否年化集体经营性收入低于收入线（默认18万元）';
COMMENT ON COLUMN marts.weak_villages.low_party_score IS '是否党建得分低于党建线（默认60分）';
COMMENT ON COLUMN marts.weak_villages.rules_version IS '计分规则版本';

CREATE TABLE IF NOT EXISTS marts.weak_village_years (
    year              INTEGER NOT NULL,
    unit_code         VARCHAR NOT NULL,
    collective_income DOUBLE,
    party_score       DOUBLE,
    weak              BOOLEAN NOT NULL,
    status            VARCHAR,
    rules_version     VARCHAR NOT NULL,
    PRIMARY KEY (year, unit_code)
);
COMMENT ON TABLE marts.weak_village_years IS '薄弱村年度认定（每年依第四季度报表认定一次；仅村，不含社区；2018版仅第四季度报表齐全的村参与认定）';
COMMENT ON COLUMN marts.weak_village_years.year IS '认定年度';
COMMENT ON COLUMN marts.weak_village_years.unit_code IS '村单位代码';
COMMENT ON COLUMN marts.weak_village_years.collective_income IS '全年村集体经营性收入（万元，第四季度报表的本年累计数）';
COMMENT ON COLUMN marts.weak_village_years.party_score IS '第四季度党建得分 P';
COMMENT ON COLUMN marts.weak_village_years.weak IS '是否认定为薄弱村：全年集体经营性收入低于收入线（默认18万元）或第四季度党建得分低于党建线（默认60分）';
COMMENT ON COLUMN marts.weak_village_years.status IS '认定状态：new 新认定（上年非薄弱村或未认定）/ continuing 持续薄弱（上年也是）/ rectified 脱薄（上年薄弱、本年认定为非薄弱）；本年和上年均非薄弱时为空；数据仓库中的首个认定年度没有上年可比，凡薄弱均记为 new';
COMMENT ON COLUMN marts.weak_village_years.rules_version IS '计分规则版本';

CREATE TABLE IF NOT EXISTS marts.city_summary (
    period                  VARCHAR NOT NULL PRIMARY KEY,
    units_reporting         BIGINT NOT NULL,
    party_orgs              BIGINT NOT NULL,
    party_members           BIGINT NOT NULL,
    new_members             BIGINT NOT NULL,
    contact_points          BIGINT NOT NULL,
    grid_branches           BIGINT NOT NULL,
    building_groups         BIGINT NOT NULL,
    central_households      BIGINT NOT NULL,
    prosperity_communities  BIGINT NOT NULL,
    secretary_projects      BIGINT NOT NULL,
    projects_with_party_org BIGINT NOT NULL,
    gdp                     DOUBLE,
    gdp_growth_pct          DOUBLE,
    savings_balance         DOUBLE,
    collective_income       DOUBLE,
    weak_villages           BIGINT NOT NULL,
    rules_version           VARCHAR NOT NULL
);
ALTER TABLE marts.city_summary ADD COLUMN IF NOT EXISTS rules_version VARCHAR;
ALTER TABLE marts.city_summary ADD COLUMN IF NOT EXISTS new_park_orgs BIGINT;
ALTER TABLE marts.city_summary ADD COLUMN IF NOT EXISTS new_business_district_orgs BIGINT;
ALTER TABLE marts.city_summary ADD COLUMN IF NOT EXISTS new_village_enterprise_orgs BIGINT;
ALTER TABLE marts.city_summary ADD COLUMN IF NOT EXISTS villages_list_published BIGINT;
COMMENT ON TABLE marts.city_summary IS '全市季度汇总（每季度一行）';
COMMENT ON COLUMN marts.city_summary.period IS '报告期';
COMMENT ON COLUMN marts.city_summary.units_reporting IS '报送当前党建督导季报的单位数';
COMMENT ON COLUMN marts.city_summary.party_orgs IS '基层党组织数（各单位合计）';
COMMENT ON COLUMN marts.city_summary.party_members IS '党员数（合计）';
COMMENT ON COLUMN marts.city_summary.new_members IS '发展党员数（合计）';
COMMENT ON COLUMN marts.city_summary.contact_points IS '党建工作联系点数（合计）';
COMMENT ON COLUMN marts.city_summary.grid_branches IS '网格党支部数（合计）';
COMMENT ON COLUMN marts.city_summary.building_groups IS '楼道党小组数（合计）';
COMMENT ON COLUMN marts.city_summary.central_households IS '党员中心户数（合计）';
COMMENT ON COLUMN marts.city_summary.prosperity_communities IS '党群致富共同体数（合计）';
COMMENT ON COLUMN marts.city_summary.new_park_orgs IS '新组建园区统筹型党组织数（合计，本年累计）';
COMMENT ON COLUMN marts.city_summary.new_business_district_orgs IS '新组建商圈统筹型党组织数（合计，本年累计）';
COMMENT ON COLUMN marts.city_summary.new_village_enterprise_orgs IS '新组建村企统筹型党组织数（合计，本年累计）';
COMMENT ON COLUMN marts.city_summary.villages_list_published IS '清单已公示的村（社区）数（村级单位党建督导季报“清单是否公示”为是）';
COMMENT ON COLUMN marts.city_summary.secretary_projects IS '书记项目数（当前版本，不同单位代码+项目编号计数）';
COMMENT ON COLUMN marts.city_summary.projects_with_party_org IS '同步建立党组织的项目数（当前版本，各类项目）';
COMMENT ON COLUMN marts.city_summary.gdp IS '地区生产总值（亿元，县级单位合计，年初至今累计）';
COMMENT ON COLUMN marts.city_summary.gdp_growth_pct IS '地区生产总值增速（%，县级单位按GDP加权平均）';
COMMENT ON COLUMN marts.city_summary.savings_balance IS '居民储蓄存款余额（亿元，县级单位合计）';
COMMENT ON COLUMN marts.city_summary.collective_income IS '村集体经营性收入（万元，村级单位即村和社区合计，年初至今累计）';
COMMENT ON COLUMN marts.city_summary.weak_villages IS '季度预警薄弱村数（marts.weak_villages 本季度行数）';
COMMENT ON COLUMN marts.city_summary.rules_version IS '计分规则版本';

-- The quarterly early warning (预警) over time: every assessed village-quarter, whether the
-- village was on the warning list and whether it was in the quarter before. There is no
-- quarterly weak / rectified status: that is the annual determination (认定),
-- marts.weak_village_years, joined here by the quarter's year.
CREATE OR REPLACE VIEW marts.weak_village_history AS
WITH assessed AS (
    SELECT
        s.period,
        s.unit_code,
        u.name,
        s.parent_code,
        w.unit_code IS NOT NULL AS on_list,
        coalesce(w.low_income, false) AS low_income,
        coalesce(w.low_party_score, false) AS low_party_score
    FROM marts.unit_scores AS s
    JOIN core.units AS u ON u.unit_code = s.unit_code
    LEFT JOIN marts.weak_villages AS w ON w.period = s.period AND w.unit_code = s.unit_code
    WHERE u.kind = 'village'
)
SELECT
    a.*,
    lag(a.period) OVER (PARTITION BY a.unit_code ORDER BY a.period) AS previous_period,
    lag(a.on_list) OVER (PARTITION BY a.unit_code ORDER BY a.period) AS previous_on_list,
    y.weak AS weak_in_year,
    y.status AS year_status
FROM assessed AS a
LEFT JOIN marts.weak_village_years AS y
    ON y.unit_code = a.unit_code AND y.year = CAST(substr(a.period, 1, 4) AS INTEGER);
COMMENT ON VIEW marts.weak_village_history IS '薄弱村季度预警动态：每个村每个已考核季度一行（on_list 本季度是否预警、previous_on_list 上一考核季度是否预警），并附该年度认定结果 weak_in_year、year_status（new 新认定 / continuing 持续 / rectified 脱薄，见 marts.weak_village_years；未认定时为空）';
COMMENT ON COLUMN marts.weak_village_history.period IS '报告期（季度）';
COMMENT ON COLUMN marts.weak_village_history.unit_code IS '村单位代码';
COMMENT ON COLUMN marts.weak_village_history.name IS '村名称';
COMMENT ON COLUMN marts.weak_village_history.parent_code IS '上级（乡镇、街道）代码';
COMMENT ON COLUMN marts.weak_village_history.on_list IS '本季度是否列入薄弱村预警（marts.weak_villages 有本季度行）';
COMMENT ON COLUMN marts.weak_village_history.low_income IS '年化集体经营性收入低于预警线（未预警时为 false）';
COMMENT ON COLUMN marts.weak_village_history.low_party_score IS '党建得分低于预警线（未预警时为 false）';
COMMENT ON COLUMN marts.weak_village_history.previous_period IS '该村上一个已考核季度';
COMMENT ON COLUMN marts.weak_village_history.previous_on_list IS '上一个已考核季度是否列入预警（首个考核季度为空）';
COMMENT ON COLUMN marts.weak_village_history.weak_in_year IS '本季度所在年度的认定结果：是否薄弱村（该年第四季度未入库或未认定时为空）';
COMMENT ON COLUMN marts.weak_village_history.year_status IS '本季度所在年度的认定状态：new 新认定 / continuing 持续 / rectified 脱薄（首个认定年度没有上一年度可比，凡薄弱均记为 new）';
