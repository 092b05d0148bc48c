"""What the 示例 data takes from the source documents (shared/seeds): the 2016 review's figures and the 2017 plan's.

Exact figures are reported as they stand; approximate ones (近2000, 700多万元, 150余场) are never reported as
numbers — they only set the unseen 2016 level, so that 2017 follows on from the real order of size.
tests/test_demo.py lists all 43 figures of the review and checks the 2016 demo export carries every exact one.
"""

from __future__ import annotations

# (市州, indicator) → the review's exact 2016 figure.
CITY_2016: dict[tuple[str, str], float] = {
    ("长沙市", "demo_bases"): 41,  # 巾帼现代农业科技示范基地41个
    ("长沙市", "women_coops"): 10,  # 市级巾帼合作社10个
    ("长沙市", "craft_bases"): 8,  # 民间手工女艺人手工制品示范基地8个
    ("株洲市", "job_fairs"): 44,
    ("株洲市", "jobs_offered"): 75_700,  # 7.57万个
    ("株洲市", "women_employed"): 5_890,
    ("湘潭市", "funds_raised"): 226,  # 争取“创文”经费226万元
    ("湘潭市", "volunteer_turnout"): 7_000,  # 巾帼志愿者文明劝导，参与人数达7000人次
    ("邵阳市", "village_stations"): 1_287,
    ("岳阳市", "women_borrowers"): 1_289,
    ("岳阳市", "screened_total"): 103_200,  # 10.32万
    ("张家界市", "funds_raised"): 370,  # 争取各类项目资金370万元
    ("张家界市", "coop_founders"): 210,  # 210名女性建立农民合作专业社
    ("张家界市", "rich_leaders"): 180,  # 培养女性致富带头人180名
    ("益阳市", "loan_count"): 878,
    ("益阳市", "loan_amount"): 10_211,
    ("益阳市", "self_employed_supported"): 716,
    ("益阳市", "jobs_created"): 2_135,
    ("郴州市", "volunteer_activities"): 78,  # 志愿服务活动78次
    ("郴州市", "people_served"): 24_000,  # 服务群众2.4万人次
    ("郴州市", "family_demo_sites"): 4,  # 创建省家庭教育示范社区（村）4个
    ("永州市", "clinic_women"): 354,  # 为354名女职工进行义诊
    ("永州市", "insurance_aided"): 60,  # 妇女安康保险，60人获得救助
    ("怀化市", "counselling_counties"): 11,  # 在11个县市区开展留守儿童心理健康辅导中心项目
    ("怀化市", "smart_school_counties"): 8,  # 在8个县市区开展云校智慧教育综合服务平台项目
    ("怀化市", "online_commentators"): 15,
    ("怀化市", "online_publicists"): 200,
    ("娄底市", "training_sessions"): 36,
    # 娄底: “培训36期，5.3万人受益，助推女性创业就业1.5万人” — 5.3万 counts people who benefited (人), not
    # attendances (人次): it is 培训受益人数, and 娄底's 培训人次 is not given. 1.5万 is 实现就业妇女人数, whose
    # 口径 counts 创业 as 就业.
    ("娄底市", "training_beneficiaries"): 53_000,
    ("娄底市", "women_employed"): 15_000,
    ("娄底市", "incubators"): 7,
}

# The review's approximate figures (never reported; 2016's cell stays blank: 未填报).
CITY_2016_APPROXIMATE: dict[tuple[str, str], float] = {
    ("邵阳市", "female_leaders"): 1_990,  # 近2000人
    ("岳阳市", "loan_amount"): 9_900,  # 近亿元
    ("岳阳市", "aid_funds"): 720,  # 700多万元
    ("郴州市", "parent_classes"): 152,  # 150余场
    ("郴州市", "parent_class_reach"): 60_500,  # 惠及6万余人
    ("永州市", "insured_women"): 41_000,  # 4万余名妇女得到保障
}

# 省级单位 (code) → their 2016 figures: exact from the review, or (in UNIT_2016_APPROXIMATE) a level only.
UNIT_2016: dict[tuple[str, str], float] = {
    ("430000-03", "county_cadres_trained"): 100,  # 组织联络部：培训县市区妇联干部100人
    ("430000-03", "township_cadres_trained"): 200,  # 乡镇妇联干部200人
    ("430000-02", "selected_reports"): 38,  # 办公室：遴选38篇
}
UNIT_2016_APPROXIMATE: dict[tuple[str, str], float] = {
    ("430000-02", "research_reports"): 210,  # 收集调研报告200多篇
}
# Invented 2016 levels of the other figures the 省级单位 report (示例).
UNIT_2016_INVENTED: dict[tuple[str, str], float] = {
    ("430000-03", "cadre_classes"): 6,
    ("430000-04", "online_commentators"): 30,
    ("430000-04", "online_publicists"): 300,
    ("430000-04", "wechat_accounts"): 3,
    ("430000-04", "wechat_followers"): 150_000,
    ("430000-01", "online_commentators"): 20,
    ("430000-01", "online_publicists"): 120,
    ("430000-01", "wechat_accounts"): 1,
    ("430000-01", "wechat_followers"): 8_000,
    ("430000-05", "dv_trainees"): 300,
}

# 任务数 the 2017 plan sets (附件1 二、举办10期全省乡镇（街道）妇联主席培训班，共培训500人).
PLAN_2017_TARGETS: dict[tuple[str, str], float] = {
    ("430000-03", "cadre_classes"): 10,
    ("430000-03", "township_cadres_trained"): 500,
}
