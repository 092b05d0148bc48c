"""How the 示例 figures are drawn: each independent figure's 2016 range, and the figures that hang from another.

Two families, each with its own random generator (etl/sample_data.py): the first is the four original 类别, whose
draws must not move when figures are added; the second is everything added since.
"""

from __future__ import annotations

from dataclasses import dataclass

# Rough size of each 市州 (长沙 = 1), after its population; scales every invented 2016 figure.
CITY_SIZE = {
    "长沙市": 1.0,
    "株洲市": 0.7,
    "湘潭市": 0.5,
    "衡阳市": 0.85,
    "邵阳市": 0.8,
    "岳阳市": 0.8,
    "常德市": 0.8,
    "张家界市": 0.3,
    "益阳市": 0.65,
    "郴州市": 0.7,
    "永州市": 0.7,
    "怀化市": 0.65,
    "娄底市": 0.6,
    "湘西土家族苗族自治州": 0.4,
}


@dataclass(frozen=True)
class Ratio:
    """A figure that hangs from another: value = parent × ratio, the ratio kept within [low, high]."""

    parent: str
    low: float
    high: float


@dataclass(frozen=True)
class Spec:
    seed_offset: int
    # 2016 range of each independent figure: a city of size s lands at high × s × 0.8…1, never below low.
    primary: dict[str, tuple[float, float]]
    # Parents come before children.
    derived: dict[str, Ratio]
    city_size: dict[str, float]


ORIGINAL = Spec(
    0,
    {
        "job_fairs": (20, 80),
        "jobs_offered": (20_000, 90_000),
        "training_sessions": (10, 60),
        "demo_bases": (10, 60),
        "loan_count": (300, 1_500),
        "screened_total": (30_000, 120_000),
        "village_stations": (200, 1_500),
        "female_leaders": (300, 2_500),
        "ecom_training_sessions": (10, 50),
        "incubators": (1, 15),
    },
    # 获贷妇女 comes first of the 贷款笔数 children: 岳阳's seeded 获贷妇女 decides its unseeded 笔数, which the
    # other children then hang from.
    {
        "women_employed": Ratio("jobs_offered", 0.06, 0.14),
        "training_attendance": Ratio("training_sessions", 500, 1_500),  # 人次 per 期
        "women_borrowers": Ratio("loan_count", 0.85, 1.0),
        "loan_amount": Ratio("loan_count", 8, 15),  # 万元 per 笔
        "self_employed_supported": Ratio("loan_count", 0.6, 0.9),
        "jobs_created": Ratio("self_employed_supported", 2, 4),
        "interest_subsidy": Ratio("loan_amount", 0.02, 0.06),
        "cervical_screened": Ratio("screened_total", 0.8, 1.0),
        "breast_screened": Ratio("screened_total", 0.8, 1.0),
        "cases_found": Ratio("screened_total", 0.0005, 0.003),
        "patients_aided": Ratio("cases_found", 0.6, 1.0),
        "aid_funds": Ratio("patients_aided", 0.5, 2.0),  # 万元 per person aided
        "ecom_training_attendance": Ratio("ecom_training_sessions", 150, 600),  # 人次 per 期
    },
    CITY_SIZE,
)

ADDED = Spec(
    1,
    {
        "clinic_women": (100, 2_000),
        "insured_women": (10_000, 80_000),
        "volunteer_teams": (50, 600),
        "volunteer_activities": (40, 300),
        "family_demo_sites": (1, 10),
        "parent_classes": (50, 400),
        "model_families": (20, 300),
        "mediation_committees": (3, 15),
        "petitions": (200, 2_500),
        "hotline_calls": (300, 3_000),
        "dv_trainees": (50, 500),
        "counselling_counties": (1, 9),
        "smart_school_counties": (1, 6),
        "child_centres": (50, 600),
        "women_homes": (500, 3_500),
        "village_federations": (400, 3_000),
        "cadre_classes": (5, 30),
        "online_commentators": (10, 60),
        "wechat_accounts": (5, 40),
        "funds_raised": (100, 800),  # 万元
        "projects_won": (5, 40),
        "women_coops": (10, 80),
        "rich_leaders": (100, 800),
        "craft_bases": (2, 20),
        "research_reports": (10, 60),
    },
    {
        "training_beneficiaries": Ratio("training_sessions", 300, 1_500),  # 人 per 期
        "insurance_aided": Ratio("insured_women", 0.001, 0.003),
        "volunteers": Ratio("volunteer_teams", 20, 60),
        "volunteer_turnout": Ratio("volunteer_activities", 40, 150),  # 人次 per activity
        "people_served": Ratio("volunteer_activities", 150, 600),
        "parent_class_reach": Ratio("parent_classes", 200, 500),
        "disputes_mediated": Ratio("mediation_committees", 30, 120),
        "dv_complaints": Ratio("petitions", 0.1, 0.3),
        "children_cared": Ratio("child_centres", 20, 80),
        "demo_women_homes": Ratio("women_homes", 0.05, 0.15),
        "township_cadres_trained": Ratio("cadre_classes", 20, 60),
        "village_cadres_trained": Ratio("cadre_classes", 50, 200),
        "online_publicists": Ratio("online_commentators", 5, 20),
        "wechat_followers": Ratio("wechat_accounts", 2_000, 12_000),
        "coop_founders": Ratio("women_coops", 3, 10),
        "selected_reports": Ratio("research_reports", 0.15, 0.4),
    },
    CITY_SIZE,
)

SPECS = (ORIGINAL, ADDED)
# Counts of a 市州's 县市区: never more than it has.
CAPPED_BY_COUNTIES = ("counselling_counties", "smart_school_counties")
