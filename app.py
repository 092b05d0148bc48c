"""湖南省妇联统计平台: page set-up, navigation and the global filters; each page draws itself."""

import streamlit as st

from ui import data, filters, metrics

st.set_page_config(page_title="湖南省妇联统计平台", page_icon=":material/bar_chart:", layout="wide")

PAGES = {
    "概览": [
        st.Page("app_pages/overview.py", title="总览", icon=":material/home:", default=True),
        st.Page("app_pages/briefing.py", title="年度简报", icon=":material/article:", url_path="briefing"),
    ],
    "专题": [
        st.Page("app_pages/jobs.py", title="就业创业", icon=":material/work:", url_path="jobs"),
        st.Page("app_pages/loans.py", title="小额担保贷款", icon=":material/payments:", url_path="loans"),
        st.Page("app_pages/screening.py", title="两癌检查", icon=":material/health_and_safety:", url_path="screening"),
        st.Page("app_pages/ecommerce.py", title="农村电商", icon=":material/storefront:", url_path="ecommerce"),
    ],
    "市州": [st.Page("app_pages/city_profile.py", title="市州画像", icon=":material/location_city:", url_path="city")],
    "数据": [
        st.Page("app_pages/upload.py", title="数据上报", icon=":material/upload_file:", url_path="upload"),
        st.Page("app_pages/progress.py", title="填报进度", icon=":material/checklist:", url_path="progress"),
        st.Page("app_pages/history.py", title="上报记录", icon=":material/history:", url_path="history"),
        st.Page("app_pages/export.py", title="数据导出", icon=":material/download:", url_path="export"),
    ],
}

navigation = st.navigation(PAGES)
filters.sidebar(metrics.years(data.values()))
navigation.run()
