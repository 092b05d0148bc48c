"""指标目录: the indicators every return is checked against, with units and definitions (管理员)."""

import pandas as pd
import streamlit as st

from etl import catalog
from etl.roles import CATALOG
from ui import auth

auth.require(CATALOG)
st.title("指标目录")
domains = catalog.domain_by_code()
st.dataframe(
    pd.DataFrame(
        [
            (domains[i.domain].name, i.name, i.unit, "整数" if i.is_count else "可带小数", i.definition)
            for i in catalog.indicators()
        ],
        columns=["类别", "指标", "单位", "数值", "口径说明"],
    ),
    hide_index=True,
    width="stretch",
    key="catalog_indicators",
)
st.caption(
    f"共 {len(catalog.indicators())} 项指标，{len(catalog.cities())} 个市州。目录保存在服务器的 "
    "`etl/reference/indicators.csv`（市州与县市区在 `regions.csv`）：修改后重启应用，数据仓库会自动同步；"
    "已入库的数据不受影响。"
)
